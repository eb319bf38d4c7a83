// The shapes of what browsers send on /consult, checked before anything is
// done with them: a socket is a door anyone signed in can knock on with any
// bytes. Annotations are checked by annotation.types.ts; the viewer state is
// checked here because the server keeps it and hands it to late joiners.
import { z } from 'zod';
import { COLLAB_MESSAGE_TYPES, VIEWPORT_LAYOUTS, type ViewerSyncState } from '../collab/protocol';

/** WebRTC signaling (an SDP offer or answer, an ICE candidate) is a few KiB; a bigger one is not signaling. */
export const MAX_SIGNAL_BYTES = 64 * 1024;
/** The mesh: the host and up to five colleagues, and a guest or a second tab or two. */
export const MAX_RELAY_TARGETS = 16;

const ZId = z.string().min(1).max(64);

export const ZSessionPayload = z.object({ consultationId: ZId });

export const ZSignalPayload = z.object({ consultationId: ZId, to: ZId, data: z.unknown() });

export const ZRelayPayload = z.object({
  consultationId: ZId,
  to: z.array(ZId).max(MAX_RELAY_TARGETS),
  // Only the envelope: peers check the message itself as they check the data channel's
  message: z.looseObject({
    type: z.string().refine((type) => (COLLAB_MESSAGE_TYPES as readonly string[]).includes(type), 'not a collaboration message type'),
    seq: z.number(),
    sentAt: z.number(),
  }),
});

export const ZAnnotationUpsertPayload = z.object({ consultationId: ZId, annotation: z.unknown() });
export const ZAnnotationRemovePayload = z.object({ consultationId: ZId, uid: z.unknown() });
export const ZHandoverPayload = z.object({ consultationId: ZId, toUserId: ZId });
export const ZMediaStatePayload = z.object({ consultationId: ZId, audio: z.boolean(), video: z.boolean() });

const ZViewportSync = z.object({
  seriesInstanceUid: z.string().regex(/^[0-9.]{1,64}$/).nullable(),
  imageIndex: z.number().int().min(0),
  voi: z.object({ windowWidth: z.number(), windowCenter: z.number() }).nullable(),
  camera: z.object({ parallelScale: z.number().positive(), focalPoint: z.tuple([z.number(), z.number(), z.number()]) }).nullable(),
  invert: z.boolean(),
});

export const ZViewerSyncState: z.ZodType<ViewerSyncState> = z
  .object({
    layout: z.enum(VIEWPORT_LAYOUTS),
    active: z.number().int().min(0),
    viewports: z.array(ZViewportSync).min(1).max(4),
  })
  // Not tied to viewportCount(layout): a follower applies what it gets, and a stricter rule would only drop states
  .refine((state) => state.active < state.viewports.length, 'the active viewport is not in the list');

/** Bytes of a value as JSON (what the wire carried, near enough to bound it). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}
