// Draw a digit and see the current model's class probabilities, live.
import { useCallback, useEffect, useRef, useState } from 'react';
import { onEngineMessage, postToEngine } from '../store/engine';
import { DigitPad } from './DigitPad';

export function Predictions({ enabled }: { enabled: boolean }) {
  const [probabilities, setProbabilities] = useState<Float32Array | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const lastId = useRef(0);

  useEffect(
    () =>
      onEngineMessage((m) => {
        if (m.type !== 'prediction' || m.id !== lastId.current) return;
        setProbabilities(m.probabilities);
        setNote(m.message ?? null);
      }),
    [],
  );

  const onDigit = useCallback((pixels: Float32Array | null) => {
    if (!pixels) {
      setProbabilities(null);
      setNote(null);
      return;
    }
    lastId.current++;
    postToEngine({ type: 'predict', id: lastId.current, pixels });
  }, []);

  const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
  return (
    <section className="card" aria-labelledby="draw-heading">
      <h2 id="draw-heading">Draw a digit</h2>
      <p className="muted small">
        {enabled
          ? 'Draw with the mouse, pen or finger; the current model answers after each stroke.'
          : 'Train a model on MNIST first; then draw here to test it.'}
      </p>
      <div className="predict-row">
        <DigitPad onDigit={onDigit} />
        <div className="probabilities" role="list" aria-label="Class probabilities">
          {Array.from({ length: 10 }, (_, c) => {
            const p = probabilities?.[c] ?? 0;
            return (
              <div
                role="listitem"
                key={c}
                className={c === best ? 'prob best' : 'prob'}
                aria-label={`${c}: ${(p * 100).toFixed(1)}%`}
              >
                <span className="prob-label">{c}</span>
                <span className="prob-bar">
                  <span style={{ width: `${p * 100}%` }} />
                </span>
                <span className="prob-value" data-testid={`probability-${c}`}>
                  {probabilities ? `${(p * 100).toFixed(1)}%` : '–'}
                </span>
              </div>
            );
          })}
          {note && (
            <p role="status" className="muted small">
              {note}
            </p>
          )}
        </div>
      </div>
    </section>
  );
}
