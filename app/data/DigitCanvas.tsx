// One 28×28 grayscale digit drawn into a canvas, ink dark on white, scaled up without smoothing by CSS.
import { memo, useEffect, useRef } from 'react';

interface DigitCanvasProps {
  /** Pixel values, row-major, starting at `offset`: bytes 0..255, or floats 0..1 when `floats`. */
  pixels: Uint8Array | Float32Array;
  offset: number;
  /** Changes whenever the pixels change (the arrays are reused, so their identity does not). */
  version: number;
  label: string;
}

const SIDE = 28;

export const DigitCanvas = memo(function DigitCanvas({ pixels, offset, version, label }: DigitCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = ref.current?.getContext('2d');
    if (!context) return;
    const image = context.createImageData(SIDE, SIDE);
    const scale = pixels instanceof Float32Array ? 255 : 1;
    for (let p = 0; p < SIDE * SIDE; p++) {
      const ink = Math.max(0, Math.min(255, Math.round(pixels[offset + p] * scale)));
      const shade = 255 - ink;
      image.data[4 * p] = shade;
      image.data[4 * p + 1] = shade;
      image.data[4 * p + 2] = shade;
      image.data[4 * p + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }, [pixels, offset, version]);
  return (
    <figure className="digit">
      <canvas ref={ref} width={SIDE} height={SIDE} aria-hidden="true" />
      <figcaption>{label}</figcaption>
    </figure>
  );
});
