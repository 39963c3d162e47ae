import { pluginConformance } from './conformance.ts';
import { FakeDatabase } from './testing.ts';

pluginConformance('fake', async () => {
  const db = new FakeDatabase({ username: 'root', password: 'rootpw' });
  return {
    plugin: db.factory()(),
    config: {
      connection_url: 'fake://{{username}}:{{password}}@local',
      username: 'root',
      password: 'rootpw',
    },
    canLogin: async (u, p) => db.canLogin(u, p),
    userExists: async (u) => db.users.has(u),
    cleanup: async () => {},
  };
});
