'use client';
// The box the patient (or their representative) signs in: pointer events, so
// a finger, a pen and a mouse draw alike; the pen's pressure widens the line.
// touch-action: none keeps a finger's stroke from scrolling the page. The
// drawing is kept at the screen's pixel density and handed over as a PNG data
// URL on a white ground (the server refuses an empty box: fields.signature).
import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef, useState } from 'react';
import styles from './consent.module.css';

export interface SignaturePadHandle {
  /** The drawing as data:image/png;base64,… or '' when nothing was drawn */
  toDataUrl(): string;
  clear(): void;
}

export const SignaturePad = forwardRef<SignaturePadHandle, { error?: string; onChange?: (signed: boolean) => void }>(function SignaturePad({ error, onChange }, ref) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const drawing = useRef<{ pointerId: number; x: number; y: number } | null>(null);
  const [signed, setSigned] = useState(false);

  const paintGround = useCallback(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const ratio = window.devicePixelRatio || 1;
    const box = canvas.getBoundingClientRect();
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    const context = canvas.getContext('2d')!;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.fillStyle = '#fff';
    context.fillRect(0, 0, box.width, box.height);
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.strokeStyle = '#0a1a3a';
  }, []);

  useEffect(() => {
    paintGround();
  }, [paintGround]);

  const mark = (value: boolean) => {
    setSigned(value);
    onChange?.(value);
  };

  useImperativeHandle(ref, () => ({
    toDataUrl: () => (signed && canvasRef.current ? canvasRef.current.toDataURL('image/png') : ''),
    clear: () => {
      paintGround();
      mark(false);
    },
  }));

  const point = (event: React.PointerEvent<HTMLCanvasElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };

  return (
    <div className={styles.signature}>
      <div className={styles.signatureBox} data-invalid={error ? 'true' : undefined}>
        <canvas
          ref={canvasRef}
          className={styles.canvas}
          aria-label="Signature box: sign here with a finger, pen or mouse"
          aria-describedby={error ? 'signature-error' : undefined}
          data-signed={signed ? 'true' : 'false'}
          onPointerDown={(event) => {
            event.preventDefault();
            event.currentTarget.setPointerCapture(event.pointerId);
            const at = point(event);
            drawing.current = { pointerId: event.pointerId, ...at };
            const context = event.currentTarget.getContext('2d')!;
            context.beginPath();
            context.fillStyle = '#0a1a3a';
            context.arc(at.x, at.y, 1.2, 0, Math.PI * 2);
            context.fill();
          }}
          onPointerMove={(event) => {
            const last = drawing.current;
            if (!last || last.pointerId !== event.pointerId) return;
            const context = event.currentTarget.getContext('2d')!;
            // A pen reports pressure (0..1); a mouse reports 0.5 while pressed
            context.lineWidth = event.pointerType === 'pen' ? 1 + event.pressure * 3 : 2.5;
            const at = point(event);
            context.beginPath();
            context.moveTo(last.x, last.y);
            context.lineTo(at.x, at.y);
            context.stroke();
            drawing.current = { ...last, ...at };
            if (!signed) mark(true);
          }}
          onPointerUp={() => (drawing.current = null)}
          onPointerCancel={() => (drawing.current = null)}
        />
        {!signed && (
          <span className={styles.signHere} aria-hidden="true">
            ✍ Sign here
          </span>
        )}
      </div>
      <div className={styles.signatureFoot}>
        {error ? (
          <p className={styles.fieldError} id="signature-error" role="alert">
            {error}
          </p>
        ) : (
          <small>Sign with a finger, a pen or the mouse.</small>
        )}
        <button
          type="button"
          className="button secondary"
          onClick={() => {
            paintGround();
            mark(false);
          }}
        >
          Clear
        </button>
      </div>
    </div>
  );
});
