/**
 * The PostgreSQL backend of the model store, for several workers sharing one store. Three
 * tables in one schema (default "propensity"), created on first use:
 *
 *   propensity_model_names          name → last version number given out
 *   propensity_model_versions       one row per version: metadata and the model JSON text
 *   propensity_segment_memberships  one row per segment: last run time and the ids as a JSON array
 *   propensity_segment_runs         one row per kept run of a segment (the last 30): its entrants and leavers
 *   propensity_scoring_runs         one row per remembered scoring run: its columns as gzip'd JSON (runs.ts)
 *
 * A version number is taken by incrementing the name's counter row in the same transaction
 * that inserts the version, so concurrent writers queue on that row and never share or skip
 * a number. Every statement is parameterised; the schema name is checked and quoted.
 */
import type { Client } from 'pg';
import { InputError, PropensityError } from '../errors';
import {
	connectPostgres,
	describeConnection,
	endClient,
	isConnectionFailure,
	parsePgConnection,
	type PgConnectionInput,
	quoteIdentifier,
	redact,
} from '../util/postgres';
import { describeVersions } from './folder';
import { checkStoredModelName, corruptMembership, corruptRun, noSuchRun, sha256, verifyModelText } from './integrity';
import { checkStoreName } from '../util/names';
import {
	checkMembers,
	checkModelText,
	checkRunAt,
	checkRunInput,
	checkRunNumber,
	checkSummary,
	checkVersion,
	keptSegmentRuns,
	segmentBusy,
	segmentLeaseWaitMs,
	type Membership,
	type ModelSummary,
	type ModelVersionInfo,
	type SegmentRunInfo,
	type SegmentRunInput,
	type SegmentRunRecord,
	type Store,
} from './types';
import { compareStrings } from '../events/table';
import { checkKeepRuns, checkRunRecord, decodeRun, encodeRun, type ScoringRunInfo, type ScoringRunRecord } from './runs';

interface RunRow {
	model: string;
	run_id: string;
	score_date: string;
	model_version: number | null;
	scored: number;
	saved_at: Date;
}

function toRunInfo(row: RunRow): ScoringRunInfo {
	return {
		model: row.model,
		id: String(row.run_id),
		scoreDate: row.score_date,
		modelVersion: row.model_version,
		scored: row.scored,
		savedAt: row.saved_at.toISOString(),
	};
}

interface VersionRow {
	name: string;
	version: number;
	saved_at: Date;
	checksum: string;
	bytes: number;
	summary: ModelSummary;
}

/** Connects, creates the schema and tables when missing, and returns the store. */
export async function openPostgresStore(connectionInput: PgConnectionInput, schema = 'propensity'): Promise<Store> {
	const quoted = quoteIdentifier(schema);
	const connection = parsePgConnection(connectionInput);
	const client = await connectPostgres(connection);
	const store = new PostgresStore(
		client,
		schema,
		quoted,
		`PostgreSQL ${describeConnection(connection)}, schema "${schema}"`,
		connection.password,
		connection,
	);
	try {
		await store.createTables();
	} catch (error) {
		await client.end().catch(() => undefined);
		throw error;
	}
	return store;
}

class PostgresStore implements Store {
	private readonly names: string;
	private readonly versions: string;
	private readonly memberships: string;
	private readonly runs: string;
	private readonly segmentRuns: string;
	/** One client runs one statement at a time; calls queue here so transactions never interleave. */
	private queue: Promise<unknown> = Promise.resolve();
	/** Why the connection dropped, once it has: later calls fail at once rather than wait on a dead socket. */
	private lost: Error | undefined;
	/** Rejects when the connection drops, ending the statement in flight with it. */
	private readonly connectionLost: Promise<never>;

	constructor(
		private readonly client: Client,
		private readonly schema: string,
		private readonly quotedSchema: string,
		readonly location: string,
		private readonly password: string,
		private readonly connection: Parameters<typeof connectPostgres>[0],
	) {
		this.names = `${quotedSchema}.propensity_model_names`;
		this.versions = `${quotedSchema}.propensity_model_versions`;
		this.memberships = `${quotedSchema}.propensity_segment_memberships`;
		this.segmentRuns = `${quotedSchema}.propensity_segment_runs`;
		this.runs = `${quotedSchema}.propensity_scoring_runs`;
		this.connectionLost = new Promise<never>((_resolve, reject) => {
			const onLost = (error?: Error): void => {
				this.lost ??= error ?? new Error('the server closed the connection');
				reject(this.lost);
			};
			client.on('error', onLost);
			client.on('end', () => onLost());
		});
		this.connectionLost.catch(() => undefined);
	}

	/** Creates what is missing, under a lock so two first users do not race on the catalog. */
	async createTables(): Promise<void> {
		await this.transaction('create its tables', async () => {
			await this.client.query('select pg_advisory_xact_lock(hashtext($1))', [`propensity-store:${this.schema}`]);
			// Existing objects are looked up first: a user without CREATE rights can still use tables made for it.
			const schemaFound = await this.client.query('select 1 from pg_catalog.pg_namespace where nspname = $1', [this.schema]);
			if (schemaFound.rowCount === 0) await this.client.query(`create schema if not exists ${this.quotedSchema}`);
			const existing = await this.client.query<{ tablename: string }>('select tablename from pg_catalog.pg_tables where schemaname = $1', [this.schema]);
			const have = new Set(existing.rows.map((row) => row.tablename));
			const tables: [string, string][] = [
				['propensity_model_names', `create table if not exists ${this.names} (name text primary key, last_version integer not null)`],
				[
					'propensity_model_versions',
					`create table if not exists ${this.versions} (name text not null, version integer not null, saved_at timestamptz not null, checksum text not null, bytes integer not null, summary json not null, body text not null, primary key (name, version))`,
				],
				[
					'propensity_segment_memberships',
					`create table if not exists ${this.memberships} (segment text primary key, run_at text not null, member_count integer not null, checksum text not null, members text not null, saved_at timestamptz not null default now())`,
				],
				[
					'propensity_segment_runs',
					`create table if not exists ${this.segmentRuns} (segment text not null, run integer not null, run_at text not null, mode text not null, entered_count integer not null, left_count integer not null, checksum text not null, body text not null, saved_at timestamptz not null default now(), primary key (segment, run))`,
				],
				[
					'propensity_scoring_runs',
					`create table if not exists ${this.runs} (run_id bigserial primary key, model text not null, score_date text not null, model_version integer, scored integer not null, saved_at timestamptz not null, body bytea not null)`,
				],
			];
			for (const [table, ddl] of tables) if (!have.has(table)) await this.client.query(ddl);
		});
	}

	async saveModel(name: string, modelText: string, summary: ModelSummary): Promise<ModelVersionInfo> {
		checkStoreName(name, 'model');
		const text = checkModelText(name, modelText);
		const cleanSummary = checkSummary(summary);
		return this.transaction(`save model "${name}"`, async () => {
			const counter = await this.client.query<{ last_version: number }>(
				`insert into ${this.names} (name, last_version) values ($1, 1) on conflict (name) do update set last_version = ${this.names}.last_version + 1 returning last_version`,
				[name],
			);
			const info: ModelVersionInfo = {
				name,
				version: counter.rows[0].last_version,
				savedAt: new Date().toISOString(),
				checksum: sha256(text),
				bytes: Buffer.byteLength(text, 'utf8'),
				summary: cleanSummary,
			};
			await this.client.query(
				`insert into ${this.versions} (name, version, saved_at, checksum, bytes, summary, body) values ($1, $2, $3, $4, $5, $6, $7)`,
				[name, info.version, info.savedAt, info.checksum, info.bytes, JSON.stringify(info.summary), text],
			);
			return info;
		});
	}

	async loadModel(name: string, version?: number | 'latest'): Promise<{ text: string; info: ModelVersionInfo }> {
		checkStoreName(name, 'model');
		const wanted = checkVersion(name, version);
		const found = await this.run(`read model "${name}"`, () =>
			wanted === 'latest'
				? this.client.query<VersionRow & { body: string }>(
						`select name, version, saved_at, checksum, bytes, summary, body from ${this.versions} where name = $1 order by version desc limit 1`,
						[name],
					)
				: this.client.query<VersionRow & { body: string }>(
						`select name, version, saved_at, checksum, bytes, summary, body from ${this.versions} where name = $1 and version = $2`,
						[name, wanted],
					),
		);
		if (found.rowCount === 0) {
			const versions = (await this.listVersions(name)).map((info) => info.version);
			// A first version committed since the query above: load it rather than claim there is none.
			if (versions.length > 0 && wanted === 'latest') return this.loadModel(name, 'latest');
			if (versions.length > 0)
				throw new InputError(
					`Model "${name}" has no version ${wanted} in the store (${this.location}): its versions are ${describeVersions(versions)}.`,
					'model-version-not-found',
				);
			const known = (await this.listModels()).map((model) => model.name);
			const hint =
				known.length > 0 ? `Saved models: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}.` : 'The store holds no models yet.';
			throw new InputError(
				`No model named "${name}" in the store (${this.location}). ${hint} Train and save a model under that name, or use one of the saved ones.`,
				'model-not-found',
			);
		}
		const row = found.rows[0];
		const info = toInfo(row);
		const where = `row (${JSON.stringify(name)}, ${info.version}) of ${this.schema}.propensity_model_versions in ${this.location}`;
		verifyModelText(name, info.version, where, row.body, info.checksum, info.bytes);
		checkStoredModelName(name, info.version, where, row.body);
		return { text: row.body, info };
	}

	async listModels(): Promise<{ name: string; latest: ModelVersionInfo }[]> {
		const result = await this.run('list models', () =>
			this.client.query<VersionRow>(
				`select distinct on (name) name, version, saved_at, checksum, bytes, summary from ${this.versions} order by name, version desc`,
			),
		);
		const listed = result.rows.map((row) => ({ name: row.name, latest: toInfo(row) }));
		// Sorted here by code units, as the folder backend does, whatever the database's collation.
		return listed.sort((a, b) => compareStrings(a.name, b.name));
	}

	async listVersions(name: string): Promise<ModelVersionInfo[]> {
		checkStoreName(name, 'model');
		const result = await this.run(`list model "${name}"`, () =>
			this.client.query<VersionRow>(`select name, version, saved_at, checksum, bytes, summary from ${this.versions} where name = $1 order by version`, [
				name,
			]),
		);
		return result.rows.map(toInfo);
	}

	async loadMembership(segment: string): Promise<Membership | undefined> {
		checkStoreName(segment, 'segment');
		const result = await this.run(`read segment "${segment}"`, () =>
			this.client.query<{ run_at: string; member_count: number; checksum: string; members: string }>(
				`select run_at, member_count, checksum, members from ${this.memberships} where segment = $1`,
				[segment],
			),
		);
		if (result.rowCount === 0) return undefined;
		const row = result.rows[0];
		const where = `row "${segment}" of ${this.schema}.propensity_segment_memberships in ${this.location}`;
		if (sha256(row.members) !== row.checksum)
			corruptMembership(segment, where, `its member list does not match the checksum ${row.checksum} recorded when it was saved`);
		const members: unknown = JSON.parse(row.members);
		if (!Array.isArray(members) || members.length !== row.member_count) corruptMembership(segment, where, `it should list ${row.member_count} members`);
		return { members: members as string[], runAt: row.run_at };
	}

	async saveMembership(segment: string, members: readonly string[], runAt: string): Promise<void> {
		checkStoreName(segment, 'segment');
		checkRunAt(segment, runAt);
		checkMembers(segment, members);
		const body = JSON.stringify(members);
		await this.run(`save segment "${segment}"`, () =>
			this.client.query(
				`insert into ${this.memberships} (segment, run_at, member_count, checksum, members, saved_at) values ($1, $2, $3, $4, $5, now())
				on conflict (segment) do update set run_at = excluded.run_at, member_count = excluded.member_count, checksum = excluded.checksum, members = excluded.members, saved_at = excluded.saved_at`,
				[segment, runAt, members.length, sha256(body), body],
			),
		);
	}

	async commitSegmentRun(segment: string, input: SegmentRunInput): Promise<SegmentRunInfo> {
		checkStoreName(segment, 'segment');
		const { members, runAt, mode, entered, left } = checkRunInput(segment, input);
		const rows = JSON.stringify({ entered, left });
		const body = JSON.stringify(members);
		// One transaction: the run is kept and the membership moves on together, or neither happens.
		return this.transaction(`commit the run of segment "${segment}"`, async () => {
			await this.client.query('select pg_advisory_xact_lock(hashtext($1))', [`propensity-segment:${this.schema}:${segment}`]);
			const last = await this.client.query<{ run: number | null }>(`select max(run) as run from ${this.segmentRuns} where segment = $1`, [segment]);
			const run = (last.rows[0]?.run ?? 0) + 1;
			await this.client.query(
				`insert into ${this.segmentRuns} (segment, run, run_at, mode, entered_count, left_count, checksum, body) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
				[segment, run, runAt, mode, entered.length, left.length, sha256(rows), rows],
			);
			await this.client.query(`delete from ${this.segmentRuns} where segment = $1 and run <= $2`, [segment, run - keptSegmentRuns]);
			await this.client.query(
				`insert into ${this.memberships} (segment, run_at, member_count, checksum, members, saved_at) values ($1, $2, $3, $4, $5, now())
				on conflict (segment) do update set run_at = excluded.run_at, member_count = excluded.member_count, checksum = excluded.checksum, members = excluded.members, saved_at = excluded.saved_at`,
				[segment, runAt, members.length, sha256(body), body],
			);
			return { segment, run, runAt, mode, entered: entered.length, left: left.length };
		});
	}

	/**
	 * A session advisory lock on a connection of its own, held for the run: the store's own
	 * connection stays free for the run's reads and commit, and a run that dies releases the
	 * lock with its session. Waiting is bounded by lock_timeout.
	 */
	async withSegmentLease<T>(segment: string, work: () => Promise<T>): Promise<T> {
		checkStoreName(segment, 'segment');
		const key = `propensity-segment-lease:${this.schema}:${segment}`;
		let lease: Client;
		try {
			lease = await connectPostgres(this.connection);
		} catch (error) {
			if (error instanceof PropensityError) throw error;
			throw new PropensityError(
				`The model store (${this.location}) could not take the lease of segment "${segment}": ${redact(error, this.password)}.`,
				'store-postgres',
			);
		}
		lease.on('error', () => undefined);
		try {
			try {
				await lease.query(`set lock_timeout = ${segmentLeaseWaitMs}`);
				await lease.query('select pg_advisory_lock(hashtext($1))', [key]);
			} catch (error) {
				if ((error as { code?: string }).code === '55P03') throw segmentBusy(segment, 'another session of this store');
				throw new PropensityError(
					`The model store (${this.location}) could not take the lease of segment "${segment}": ${redact(error, this.password)}.`,
					'store-postgres',
				);
			}
			return await work();
		} finally {
			await lease.query('select pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
			await endClient(lease, false);
		}
	}

	async listSegmentRuns(segment: string): Promise<SegmentRunInfo[]> {
		checkStoreName(segment, 'segment');
		const result = await this.run(`list the runs of segment "${segment}"`, () =>
			this.client.query<{ run: number; run_at: string; mode: string; entered_count: number; left_count: number }>(
				`select run, run_at, mode, entered_count, left_count from ${this.segmentRuns} where segment = $1 order by run`,
				[segment],
			),
		);
		return result.rows.map((row) => ({ segment, run: row.run, runAt: row.run_at, mode: row.mode, entered: row.entered_count, left: row.left_count }));
	}

	async loadSegmentRun(segment: string, wanted: number | 'latest'): Promise<SegmentRunRecord> {
		checkStoreName(segment, 'segment');
		const which = checkRunNumber(segment, wanted);
		const result = await this.run(`read a run of segment "${segment}"`, () =>
			which === 'latest'
				? this.client.query<SegmentRunRow>(
						`select run, run_at, mode, entered_count, left_count, checksum, body from ${this.segmentRuns} where segment = $1 order by run desc limit 1`,
						[segment],
					)
				: this.client.query<SegmentRunRow>(
						`select run, run_at, mode, entered_count, left_count, checksum, body from ${this.segmentRuns} where segment = $1 and run = $2`,
						[segment, which],
					),
		);
		if (result.rowCount === 0)
			throw noSuchRun(
				segment,
				which,
				(await this.listSegmentRuns(segment)).map((info) => info.run),
				this.location,
			);
		const row = result.rows[0];
		const where = `row ("${segment}", ${row.run}) of ${this.schema}.propensity_segment_runs in ${this.location}`;
		if (sha256(row.body) !== row.checksum) corruptRun(segment, where, `its rows do not match the checksum ${row.checksum} recorded when the run was kept`);
		const rows = JSON.parse(row.body) as { entered?: unknown; left?: unknown };
		if (!Array.isArray(rows.entered) || !Array.isArray(rows.left) || rows.entered.length !== row.entered_count || rows.left.length !== row.left_count) {
			corruptRun(segment, where, `it should hold ${row.entered_count} entered and ${row.left_count} left`);
		}
		return {
			segment,
			run: row.run,
			runAt: row.run_at,
			mode: row.mode,
			entered: rows.entered as SegmentRunRecord['entered'],
			left: rows.left as SegmentRunRecord['left'],
		};
	}

	// Remembered scoring runs: one row each, the columns gzip-compressed as in the folder backend.

	async saveRun(record: ScoringRunRecord, keep?: number): Promise<ScoringRunInfo> {
		const checked = checkRunRecord(record);
		checkStoreName(checked.model, 'model');
		const kept = checkKeepRuns(keep);
		return this.transaction(`remember a scoring run of "${checked.model}"`, async () => {
			const inserted = await this.client.query<RunRow>(
				`insert into ${this.runs} (model, score_date, model_version, scored, saved_at, body) values ($1, $2, $3, $4, now(), $5) returning model, run_id, score_date, model_version, scored, saved_at`,
				[checked.model, checked.scoreDate, checked.modelVersion, checked.scored, encodeRun(checked)],
			);
			await this.client.query(
				`delete from ${this.runs} where model = $1 and run_id not in (select run_id from ${this.runs} where model = $1 order by run_id desc limit $2)`,
				[checked.model, kept],
			);
			return toRunInfo(inserted.rows[0]);
		});
	}

	async listRuns(model: string): Promise<ScoringRunInfo[]> {
		checkStoreName(model, 'model');
		const result = await this.run(`list the scoring runs of "${model}"`, () =>
			this.client.query<RunRow>(`select model, run_id, score_date, model_version, scored, saved_at from ${this.runs} where model = $1 order by run_id`, [
				model,
			]),
		);
		return result.rows.map(toRunInfo);
	}

	async loadRun(model: string, id: string): Promise<ScoringRunRecord> {
		checkStoreName(model, 'model');
		if (typeof id !== 'string' || !/^\d{1,18}$/.test(id))
			throw new InputError(`"${String(id)}" is not a scoring run id: take one from listRuns("${model}").`, 'bad-run-id');
		const result = await this.run(`read a scoring run of "${model}"`, () =>
			this.client.query<{ body: Buffer }>(`select body from ${this.runs} where model = $1 and run_id = $2`, [model, id]),
		);
		if (result.rowCount === 0)
			throw new InputError(
				`Model "${model}" has no remembered scoring run ${id} in the store (${this.location}): it was never saved, or retention deleted it.`,
				'run-not-found',
			);
		return decodeRun(result.rows[0].body, `row ${id} of ${this.schema}.propensity_scoring_runs in ${this.location}`);
	}

	async close(): Promise<void> {
		await this.queue.catch(() => undefined);
		await endClient(this.client, this.lost !== undefined);
	}

	/** Runs one piece of work on the client once the previous one is done, naming the store on failure. */
	private run<T>(operation: string, work: () => Promise<T>): Promise<T> {
		const guarded = (): Promise<T> => (this.lost ? Promise.reject(this.lost) : Promise.race([work(), this.connectionLost]));
		const next = this.queue.then(guarded, guarded).catch((error: unknown) => {
			if (error instanceof PropensityError) throw error;
			if (this.lost || isConnectionFailure(error)) {
				throw new PropensityError(
					`The model store (${this.location}) could not ${operation}: the connection to the server was lost (${redact(this.lost ?? error, this.password)}). Check that the server is running and reachable, then run again.`,
					'store-postgres',
				);
			}
			throw new PropensityError(`The model store (${this.location}) could not ${operation}: ${redact(error, this.password)}.`, 'store-postgres');
		});
		this.queue = next.catch(() => undefined);
		return next;
	}

	private transaction<T>(operation: string, work: () => Promise<T>): Promise<T> {
		return this.run(operation, async () => {
			await this.client.query('begin');
			try {
				const result = await work();
				await this.client.query('commit');
				return result;
			} catch (error) {
				await this.client.query('rollback').catch(() => undefined);
				throw error;
			}
		});
	}
}

interface SegmentRunRow {
	run: number;
	run_at: string;
	mode: string;
	entered_count: number;
	left_count: number;
	checksum: string;
	body: string;
}

function toInfo(row: VersionRow): ModelVersionInfo {
	return { name: row.name, version: row.version, savedAt: row.saved_at.toISOString(), checksum: row.checksum, bytes: row.bytes, summary: row.summary };
}
