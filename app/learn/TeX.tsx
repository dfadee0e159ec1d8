// A formula typeset by KaTeX. The HTML output is drawn; the MathML beside it is what screen readers read.
import katex from 'katex';
import 'katex/dist/katex.min.css';
import { memo, useMemo } from 'react';

export const TeX = memo(function TeX({ formula, display = true }: { formula: string; display?: boolean }) {
  const html = useMemo(
    () =>
      // throwOnError false: a typo in a formula shows the source in red instead of breaking the dialog.
      katex.renderToString(formula, { displayMode: display, throwOnError: false, output: 'htmlAndMathml' }),
    [formula, display],
  );
  return <div className="tex" dangerouslySetInnerHTML={{ __html: html }} />;
});
