// The decision boundary of a model on a 2-D data set: each cell of a grid over the input plane is
// coloured by the class the model predicts there (paler where it is unsure), with the data on top.
import { memo, useEffect, useRef } from 'react';

const CLASS_RGB: [number, number, number][] = [
  [0, 114, 178],
  [230, 159, 0],
  [0, 158, 115],
  [204, 121, 167],
  [86, 180, 233],
  [213, 94, 0],
  [240, 228, 66],
  [0, 0, 0],
  [120, 120, 120],
  [150, 80, 200],
];
const SIZE_PX = 320;

export const DecisionBoundary = memo(function DecisionBoundary({
  size,
  probabilities,
  domain,
  points,
}: {
  size: number;
  probabilities: Float32Array;
  domain: number;
  points: { x: Float32Array; labels: Int32Array | null } | null;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current!.getContext('2d')!;
    const cells = size * size;
    const perCell = probabilities.length / cells;
    const image = c.createImageData(size, size);
    for (let i = 0; i < cells; i++) {
      let cls: number;
      let confidence: number;
      if (perCell === 1) {
        const p = probabilities[i];
        cls = p > 0.5 ? 1 : 0;
        confidence = Math.abs(p - 0.5) * 2;
      } else {
        cls = 0;
        for (let k = 1; k < perCell; k++)
          if (probabilities[i * perCell + k] > probabilities[i * perCell + cls]) cls = k;
        confidence = (probabilities[i * perCell + cls] - 1 / perCell) / (1 - 1 / perCell);
      }
      const [r, g, b] = CLASS_RGB[cls % CLASS_RGB.length];
      const a = 0.15 + 0.55 * Math.max(0, Math.min(1, confidence));
      image.data.set([255 - (255 - r) * a, 255 - (255 - g) * a, 255 - (255 - b) * a, 255], i * 4);
    }
    const off = new OffscreenCanvas(size, size);
    off.getContext('2d')!.putImageData(image, 0, 0);
    c.imageSmoothingEnabled = true;
    c.drawImage(off, 0, 0, SIZE_PX, SIZE_PX);
    if (points?.labels) {
      const n = points.labels.length;
      for (let i = 0; i < n; i++) {
        const px = ((points.x[i * 2] + domain) / (2 * domain)) * SIZE_PX;
        const py = ((domain - points.x[i * 2 + 1]) / (2 * domain)) * SIZE_PX;
        const [r, g, b] = CLASS_RGB[points.labels[i] % CLASS_RGB.length];
        c.fillStyle = `rgb(${r}, ${g}, ${b})`;
        c.strokeStyle = '#fff';
        c.beginPath();
        c.arc(px, py, 3, 0, Math.PI * 2);
        c.fill();
        c.stroke();
      }
    }
  }, [size, probabilities, domain, points]);
  return (
    <figure className="boundary">
      <canvas
        ref={ref}
        width={SIZE_PX}
        height={SIZE_PX}
        role="img"
        aria-label="Decision boundary: the input plane coloured by the predicted class, with the training points"
      />
      <figcaption className="muted small">
        x₁ and x₂ from −{domain.toFixed(1)} to {domain.toFixed(1)}; colour = predicted class, paler = less sure.
      </figcaption>
    </figure>
  );
});
