import assert from 'node:assert/strict';
import { Client } from 'pg';
import { testPostgres } from './postgres';

describe('the test PostgreSQL server', () => {
	it('accepts the test password and answers a query', async () => {
		const server = await testPostgres();
		const client = new Client(server);
		await client.connect();
		try {
			const result = await client.query<{ answer: number }>('select 1 + 1 as answer');
			assert.equal(result.rows[0].answer, 2);
		} finally {
			await client.end();
		}
	});
});
