import type { PortalContext } from '../context.js';
import type { ChannelRecord } from '../store.js';

export const Channel = {
  offices(channel: ChannelRecord, _args: unknown, { loaders }: PortalContext) {
    return loaders.channelOffices.load({ slug: channel.slug, kind: channel.kind });
  },
};
