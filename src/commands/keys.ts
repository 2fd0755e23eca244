import { openStore } from '../../db/client.js';
import { ROLES, createApiKey, listKeys, revokeKey, type Role } from '../auth/keys.js';
import { UsageError, type Command } from '../cli.js';

export const keysCommand: Command = {
  summary: 'keys create --role admin|adviser|firm [--firm ID] [--name TEXT]: prints the key once. keys list. keys revoke ID.',
  usage: 'keys (create --role R [--firm ID] [--name TEXT] | list | revoke ID)',
  options: { role: { type: 'string' }, firm: { type: 'string' }, name: { type: 'string' } },
  allowPositionals: true,
  async run(ctx, values, positionals) {
    const [sub, arg] = positionals;
    const store = openStore(ctx.config.databasePath);
    try {
      if (sub === 'create') {
        const role = values.role as string | undefined;
        if (!role || !ROLES.includes(role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
        try {
          const { key, record } = createApiKey(store.sqlite, { role: role as Role, firmId: (values.firm as string) ?? null, name: (values.name as string) ?? null });
          ctx.out(key);
          ctx.err(`created ${record.role} key ${record.id}${record.firmId ? ` for firm ${record.firmId}` : ''}: store it now, it is not shown again`);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        return 0;
      }
      if (sub === 'list') {
        for (const k of listKeys(store.sqlite)) ctx.out(`${k.id} ${k.role}${k.firmId ? ` firm=${k.firmId}` : ''} created=${k.createdAt} last_used=${k.lastUsedAt ?? '-'}${k.revokedAt ? ` revoked=${k.revokedAt}` : ''}`);
        return 0;
      }
      if (sub === 'revoke') {
        if (!arg) throw new UsageError('revoke needs a key id');
        if (!revokeKey(store.sqlite, arg)) throw new UsageError(`no key ${arg}`);
        ctx.out(`revoked ${arg}`);
        return 0;
      }
      throw new UsageError(`unknown subcommand "${sub ?? ''}" (create, list, revoke)`);
    } finally {
      store.close();
    }
  },
};
