import type { ChannelKind } from './catalogue.js';

/** A channel as a sentence names it: "cannot be done online", "received in person". */
export const CHANNEL_WORDS: Record<ChannelKind, string> = { ONLINE: 'online', IN_PERSON: 'in person' };

/** The note of the SUBMITTED event that opens every timeline, the intake's and the seed's alike. */
export function receivedNote(channel: ChannelKind): string {
  return `Received through the single intake (${CHANNEL_WORDS[channel]}).`;
}
