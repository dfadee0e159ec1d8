// Small grey-level images (misclassified digits, first-layer weights) drawn on canvases.
import { memo, useEffect, useRef } from 'react';

/** Draws `values` (row-major width x height) into a canvas; `signed` maps negative to blue, positive to red. */
export const GreyImage = memo(function GreyImage({
  values,
  width,
  height,
  signed = false,
  label,
  scale = 2,
}: {
  values: Float32Array;
  width: number;
  height: number;
  signed?: boolean;
  label: string;
  scale?: number;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current!.getContext('2d')!;
    const image = c.createImageData(width, height);
    let max = 1e-12;
    if (signed) for (const v of values) max = Math.max(max, Math.abs(v));
    for (let i = 0; i < width * height; i++) {
      const v = values[i];
      let rgb: [number, number, number];
      if (signed) {
        const t = Math.min(1, Math.abs(v) / max);
        rgb = v >= 0 ? [255, 255 * (1 - t), 255 * (1 - t)] : [255 * (1 - t), 255 * (1 - t), 255];
      } else {
        const g = 255 - Math.round(Math.min(1, Math.max(0, v)) * 255);
        rgb = [g, g, g];
      }
      image.data.set([...rgb, 255], i * 4);
    }
    c.putImageData(image, 0, 0);
  }, [values, width, height, signed]);
  return (
    <canvas
      ref={ref}
      width={width}
      height={height}
      role="img"
      aria-label={label}
      className="grey-image"
      style={{ width: width * scale, height: height * scale }}
    />
  );
});
