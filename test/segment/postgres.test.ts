/** Segment membership remembered in the PostgreSQL store: the same suite as the folder store's, on a throwaway server. */
import { testPostgres } from '../support/postgres';
import { membershipSuite } from './membership';

let counter = 0;

membershipSuite('PostgreSQL', async () => {
	const { host, port, user, password, database } = await testPostgres();
	return { kind: 'postgres', connection: { host, port, user, password, database }, schema: `segment_${process.pid}_${++counter}` };
});
