// What choosing a data set changed in the design (one undoable step), whether the design now fits, and
// templates rebuilt for the data's shape for when it does not.
import { templatesFor } from '../../../src/engine/graph';
import { useDatasetsStore, datasetFit } from '../../store/datasets';
import { useDataStore } from '../../store/data';
import { useDesignAnalysis, useDesignStore } from '../../store/design';

/** The text as a sentence: ends with a full stop. */
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

export function AdaptationNote() {
  const adaptation = useDatasetsStore((s) => s.adaptation);
  const meta = useDatasetsStore((s) => s.kept.find((m) => m.id === s.adaptation?.datasetId));
  const inUse = useDataStore((s) => s.choice === 'dataset' && s.datasetId === adaptation?.datasetId);
  const loadDesign = useDesignStore((s) => s.loadDesign);
  const designName = useDesignStore((s) => s.design.name);
  const analysis = useDesignAnalysis();
  if (!adaptation || !meta || !inUse) return null;
  const fit = datasetFit(meta);
  const templates = templatesFor(fit);

  return (
    <div
      className={`notice ${analysis.valid ? 'notice-ok' : 'notice-warn'} adaptation`}
      role="status"
      aria-label="Design adapted to the data"
    >
      <strong>
        Training on “{adaptation.name}”.{' '}
        {adaptation.changes.length > 0
          ? 'The design was changed to fit it:'
          : `The design “${designName}” already fits it.`}
      </strong>
      {adaptation.changes.length > 0 && (
        <>
          <ul>
            {adaptation.changes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <p className="small">Undo (Ctrl+Z) in the Design section brings the previous design back.</p>
        </>
      )}
      {!analysis.valid && (
        <p className="adaptation-problem">
          The design does not work with this data yet: {sentence(analysis.errors[0]?.message ?? '')} Start from a
          template below.
        </p>
      )}
      <label className="adaptation-template">
        <span>Start from a template fitted to this data</span>
        <select
          value=""
          onChange={(e) => {
            const template = templates.find((t) => t.id === e.target.value);
            if (!template) return;
            loadDesign(template.build(fit));
            useDatasetsStore.setState({
              adaptation: { ...adaptation, changes: [`Loaded the template “${template.label}”, fitted to the data`] },
            });
          }}
        >
          <option value="">Choose a template…</option>
          {templates.map((t) => (
            <option key={t.id} value={t.id}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
