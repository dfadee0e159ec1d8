// Draw-a-digit: a canvas to draw on with the mouse, pen or finger. Each stroke is preprocessed the
// way MNIST was (see preprocessDigit) and handed to `onDigit`; the 28x28 result is shown beside the
// pad so a person sees what the network sees.
import { useCallback, useEffect, useRef } from 'react';
import { MNIST_SIDE, preprocessDigit } from './preprocessDigit';

const PAD_PX = 224;
const BRUSH_PX = 16;

export function DigitPad({ onDigit }: { onDigit: (pixels: Float32Array | null) => void }) {
  const padRef = useRef<HTMLCanvasElement>(null);
  const previewRef = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ x: number; y: number } | null>(null);

  const ctx = () => padRef.current!.getContext('2d', { willReadFrequently: true })!;

  const publish = useCallback(() => {
    const image = ctx().getImageData(0, 0, PAD_PX, PAD_PX);
    const ink = new Float32Array(PAD_PX * PAD_PX);
    for (let i = 0; i < ink.length; i++) ink[i] = image.data[i * 4 + 3] / 255;
    const pixels = preprocessDigit(ink, PAD_PX, PAD_PX);
    drawPreview(previewRef.current!, pixels);
    onDigit(pixels);
  }, [onDigit]);

  useEffect(() => drawPreview(previewRef.current!, null), []);

  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - rect.left) / rect.width) * PAD_PX, y: ((e.clientY - rect.top) / rect.height) * PAD_PX };
  };

  const stroke = (from: { x: number; y: number }, to: { x: number; y: number }) => {
    const c = ctx();
    c.strokeStyle = '#000';
    c.lineWidth = BRUSH_PX;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x, to.y);
    c.stroke();
  };

  return (
    <div className="digit-pad">
      <canvas
        ref={padRef}
        width={PAD_PX}
        height={PAD_PX}
        className="pad"
        role="img"
        aria-label="Drawing pad: draw a digit with the mouse, pen or finger"
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          const p = point(e);
          last.current = p;
          stroke(p, p);
        }}
        onPointerMove={(e) => {
          if (!last.current) return;
          const p = point(e);
          stroke(last.current, p);
          last.current = p;
        }}
        onPointerUp={() => {
          last.current = null;
          publish();
        }}
        onPointerCancel={() => (last.current = null)}
      />
      <div className="pad-side">
        <canvas
          ref={previewRef}
          width={MNIST_SIDE}
          height={MNIST_SIDE}
          className="pad-preview"
          role="img"
          aria-label="What the network sees: your digit as a 28 by 28 image"
        />
        <span className="muted small">28×28 input</span>
        <button
          type="button"
          onClick={() => {
            ctx().clearRect(0, 0, PAD_PX, PAD_PX);
            publish();
          }}
        >
          Clear
        </button>
      </div>
    </div>
  );
}

function drawPreview(canvas: HTMLCanvasElement, pixels: Float32Array | null) {
  const c = canvas.getContext('2d')!;
  const image = c.createImageData(MNIST_SIDE, MNIST_SIDE);
  for (let i = 0; i < MNIST_SIDE * MNIST_SIDE; i++) {
    const v = 255 - Math.round((pixels?.[i] ?? 0) * 255);
    image.data.set([v, v, v, 255], i * 4);
  }
  c.putImageData(image, 0, 0);
}
