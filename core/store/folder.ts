/**
 * The folder backend of the model store (the default). Layout under the root:
 *
 *   models/<name>/v000001.json        the model JSON text, byte for byte as saved
 *   models/<name>/v000001.meta.json   { name, version, savedAt, checksum, bytes, summary }
 *   segments/<name>.json              line 1: { segment, runAt, count, checksum }; line 2: the ids as a JSON array
 *   segments/<name>.lease             held while a run of the segment is going (withSegmentLease)
 *   segment-runs/<name>/r000001.json  one past run of the segment (the last 30 are kept): line 1:
 *                                     { segment, runAt, mode, entered, left, checksum }; line 2:
 *                                     { "entered": [rows], "left": [rows] }
 *   runs/<model>/<id>.run.json.gz     one remembered scoring run (runs.ts), gzip-compressed JSON columns
 *
 * Every file appears whole or not at all: it is written to a hidden temp file in the same
 * folder, flushed to disk, then renamed (or hard-linked) into place. A version number is
 * claimed by hard-linking the finished model file to its name, which fails when another
 * writer (another process, another machine on a shared disk) claimed it first; the writer
 * then tries the next number. The `.meta.json` file is written last and marks the version
 * as saved: a model file without it is a save in progress (or one that was interrupted),
 * which listings skip.
 */
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { InputError, PropensityError } from '../errors';
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
import { writeFileAtomically } from '../util/files';
import { checkKeepRuns, checkRunRecord, decodeRun, type ScoringRunInfo, type ScoringRunRecord } from './runs';

const runSuffix = '.run.json.gz';
/** saved-at stamp and a random tail, then the score date, model version (0: none) and profiles scored. */
const runIdPattern = /^(\d{17})-([0-9a-f]{8})_(\d{17})_v(\d+)_n(\d+)$/;
const stamp = (iso: string) => iso.replace(/\D/g, '').padEnd(17, '0').slice(0, 17);
const unstamp = (digits: string) =>
	`${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}T${digits.slice(8, 10)}:${digits.slice(10, 12)}:${digits.slice(12, 14)}.${digits.slice(14, 17)}Z`;

function runId(savedAt: string, record: ScoringRunRecord): string {
	return `${stamp(savedAt)}-${randomBytes(4).toString('hex')}_${stamp(new Date(record.scoreDate).toISOString())}_v${record.modelVersion ?? 0}_n${record.scored}`;
}

function runInfoOf(model: string, id: string): ScoringRunInfo {
	const [, saved, , scored, version, count] = runIdPattern.exec(id) as RegExpExecArray;
	return { model, id, scoreDate: unstamp(scored), modelVersion: Number(version) || null, scored: Number(count), savedAt: unstamp(saved) };
}

/** The run ids in a folder, oldest first (ids begin with the time they were saved). */
async function scanRuns(dir: string): Promise<string[]> {
	const files = await filesIn(dir);
	return files
		.filter((file) => file.endsWith(runSuffix))
		.map((file) => file.slice(0, -runSuffix.length))
		.filter((id) => runIdPattern.test(id))
		.sort(compareStrings);
}

const modelFilePattern = /^v(\d{6,})\.json$/;
const metaFilePattern = /^v(\d{6,})\.meta\.json$/;
const modelFileName = (version: number) => `v${String(version).padStart(6, '0')}.json`;
const metaFileName = (version: number) => `v${String(version).padStart(6, '0')}.meta.json`;
const segmentRunFilePattern = /^r(\d{6,})\.json$/;
const segmentRunFileName = (run: number) => `r${String(run).padStart(6, '0')}.json`;

const metaSchema = z
	.object({
		format: z.literal('propensity-model-version'),
		formatVersion: z.literal(1),
		name: z.string(),
		version: z.number().int().min(1),
		savedAt: z.string(),
		checksum: z.string().regex(/^[0-9a-f]{64}$/),
		bytes: z.number().int().min(0),
		summary: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
	})
	.strict();

const membershipHeaderSchema = z
	.object({
		format: z.literal('propensity-segment-membership'),
		formatVersion: z.literal(1),
		segment: z.string(),
		runAt: z.string(),
		count: z.number().int().min(0),
		checksum: z.string().regex(/^[0-9a-f]{64}$/),
	})
	.strict();

const runHeaderSchema = z
	.object({
		format: z.literal('propensity-segment-run'),
		formatVersion: z.literal(1),
		segment: z.string(),
		runAt: z.string(),
		mode: z.string(),
		entered: z.number().int().min(0),
		left: z.number().int().min(0),
		checksum: z.string().regex(/^[0-9a-f]{64}$/),
	})
	.strict();

/** Opens (and creates when missing) a folder store at the path. */
export async function openFolderStore(root: string): Promise<Store> {
	if (typeof root !== 'string' || root.trim() === '') {
		throw new InputError('The model store folder is not set: give the path of a folder (it is created when missing).', 'bad-store-config');
	}
	const absolute = path.resolve(root);
	try {
		await fsp.mkdir(path.join(absolute, 'models'), { recursive: true });
		await fsp.mkdir(path.join(absolute, 'segments'), { recursive: true });
	} catch (error) {
		throw new InputError(
			`Could not open the model store folder ${absolute}: ${(error as Error).message}. Give a folder this user may create and write.`,
			'store-io',
		);
	}
	return new FolderStore(absolute);
}

class FolderStore implements Store {
	readonly location: string;

	constructor(private readonly root: string) {
		this.location = `folder ${root}`;
	}

	async saveModel(name: string, modelText: string, summary: ModelSummary): Promise<ModelVersionInfo> {
		checkStoreName(name, 'model');
		const text = checkModelText(name, modelText);
		const cleanSummary = checkSummary(summary);
		const dir = this.modelDir(name);
		return this.io(`save model "${name}"`, async () => {
			await fsp.mkdir(dir, { recursive: true });
			const staged = await writeTemp(dir, 'model', text);
			try {
				const version = await claimVersion(dir, staged);
				const info: ModelVersionInfo = {
					name,
					version,
					savedAt: new Date().toISOString(),
					checksum: sha256(text),
					bytes: Buffer.byteLength(text, 'utf8'),
					summary: cleanSummary,
				};
				try {
					const meta = `${JSON.stringify({ format: 'propensity-model-version', formatVersion: 1, ...info }, null, '\t')}\n`;
					await fsp.rename(await writeTemp(dir, 'meta', meta), path.join(dir, metaFileName(version)));
					await syncFolder(dir);
				} catch (error) {
					// Without its meta file the version was never saved: give its number back.
					await fsp.rm(path.join(dir, modelFileName(version)), { force: true });
					throw error;
				}
				return info;
			} finally {
				await fsp.rm(staged, { force: true });
			}
		});
	}

	async loadModel(name: string, version?: number | 'latest'): Promise<{ text: string; info: ModelVersionInfo }> {
		checkStoreName(name, 'model');
		const wanted = checkVersion(name, version);
		const dir = this.modelDir(name);
		const { saved, unfinished } = await this.io(`read model "${name}"`, () => scanVersions(dir));
		if (saved.length === 0) {
			// A first version may have been saved since the scan above: load it rather than claim there is none.
			if ((await this.io(`read model "${name}"`, () => scanVersions(dir))).saved.length > 0) return this.loadModel(name, version);
			throw await this.noSuchModel(name);
		}
		const chosen = wanted === 'latest' ? saved[saved.length - 1] : wanted;
		if (!saved.includes(chosen)) {
			if (unfinished.includes(chosen)) {
				throw new InputError(
					`Version ${chosen} of model "${name}" was not finished saving (${path.join(dir, modelFileName(chosen))} has no ${metaFileName(chosen)}): it is being saved right now, or its save was interrupted. Try again shortly, or load another version (${describeVersions(saved)}).`,
					'model-unfinished',
				);
			}
			throw new InputError(
				`Model "${name}" has no version ${chosen} in the store (${this.location}): its versions are ${describeVersions(saved)}.`,
				'model-version-not-found',
			);
		}
		const info = await this.readInfo(name, chosen);
		const file = path.join(dir, modelFileName(chosen));
		const text = await this.io(`read model "${name}"`, () => fsp.readFile(file, 'utf8'));
		verifyModelText(name, chosen, file, text, info.checksum, info.bytes);
		checkStoredModelName(name, chosen, file, text);
		return { text, info };
	}

	async listModels(): Promise<{ name: string; latest: ModelVersionInfo }[]> {
		const entries = await this.io('list models', () => fsp.readdir(path.join(this.root, 'models'), { withFileTypes: true }));
		const names = entries.filter((entry) => entry.isDirectory() && isAllowedName(entry.name)).map((entry) => entry.name);
		names.sort(compareStrings);
		const listed: { name: string; latest: ModelVersionInfo }[] = [];
		for (const name of names) {
			const { saved } = await this.io(`list model "${name}"`, () => scanVersions(this.modelDir(name)));
			if (saved.length > 0) listed.push({ name, latest: await this.readInfo(name, saved[saved.length - 1]) });
		}
		return listed;
	}

	async listVersions(name: string): Promise<ModelVersionInfo[]> {
		checkStoreName(name, 'model');
		const { saved } = await this.io(`list model "${name}"`, () => scanVersions(this.modelDir(name)));
		const infos: ModelVersionInfo[] = [];
		for (const version of saved) infos.push(await this.readInfo(name, version));
		return infos;
	}

	async loadMembership(segment: string): Promise<Membership | undefined> {
		checkStoreName(segment, 'segment');
		const file = this.membershipFile(segment);
		const content = await this.io(`read segment "${segment}"`, () => readIfPresent(file));
		return content === undefined ? undefined : parseMembershipFile(segment, file, content);
	}

	async saveMembership(segment: string, members: readonly string[], runAt: string): Promise<void> {
		checkStoreName(segment, 'segment');
		checkRunAt(segment, runAt);
		checkMembers(segment, members);
		const body = JSON.stringify(members);
		const header = { format: 'propensity-segment-membership', formatVersion: 1, segment, runAt, count: members.length, checksum: sha256(body) };
		const dir = path.join(this.root, 'segments');
		await this.io(`save segment "${segment}"`, async () => {
			await fsp.mkdir(dir, { recursive: true });
			await fsp.rename(await writeTemp(dir, segment, `${JSON.stringify(header)}\n${body}\n`), this.membershipFile(segment));
			await syncFolder(dir);
		});
	}

	async commitSegmentRun(segment: string, input: SegmentRunInput): Promise<SegmentRunInfo> {
		checkStoreName(segment, 'segment');
		const { members, runAt, mode, entered, left } = checkRunInput(segment, input);
		const body = JSON.stringify({ entered, left });
		const header = {
			format: 'propensity-segment-run',
			formatVersion: 1,
			segment,
			runAt,
			mode,
			entered: entered.length,
			left: left.length,
			checksum: sha256(body),
		};
		const dir = this.segmentRunsDir(segment);
		const run = await this.io(`keep the run of segment "${segment}"`, async () => {
			await fsp.mkdir(dir, { recursive: true });
			const staged = await writeTemp(dir, 'run', `${JSON.stringify(header)}\n${body}\n`);
			try {
				const claimed = await claimNumber(dir, staged, segmentRunFilePattern, segmentRunFileName);
				await syncFolder(dir);
				return claimed;
			} finally {
				await fsp.rm(staged, { force: true });
			}
		});
		// The run is kept before the membership moves on: a crash in between sends its entrants again next time, never loses them.
		await this.saveMembership(segment, members, runAt);
		await this.io(`drop old runs of segment "${segment}"`, async () => {
			for (const old of (await scanSegmentRuns(dir)).filter((number) => number <= run - keptSegmentRuns))
				await fsp.rm(path.join(dir, segmentRunFileName(old)), { force: true });
		});
		return { segment, run, runAt, mode, entered: entered.length, left: left.length };
	}

	async withSegmentLease<T>(segment: string, work: () => Promise<T>): Promise<T> {
		checkStoreName(segment, 'segment');
		const dir = path.join(this.root, 'segments');
		const file = path.join(dir, `${segment}.lease`);
		const token = randomBytes(12).toString('hex');
		await this.io(`take the lease of segment "${segment}"`, async () => {
			await fsp.mkdir(dir, { recursive: true });
			await takeLease(file, token, segment);
		});
		// Renewed while held, so a waiting run can tell a live holder from one that died.
		const renew = setInterval(() => void touchLease(file, token), leaseStaleMs / 3);
		renew.unref();
		try {
			return await work();
		} finally {
			clearInterval(renew);
			await releaseLease(file, token);
		}
	}

	async listSegmentRuns(segment: string): Promise<SegmentRunInfo[]> {
		checkStoreName(segment, 'segment');
		const dir = this.segmentRunsDir(segment);
		const runs = await this.io(`list the runs of segment "${segment}"`, () => scanSegmentRuns(dir));
		const infos: SegmentRunInfo[] = [];
		for (const run of runs) {
			const file = path.join(dir, segmentRunFileName(run));
			const line = await this.io(`read run ${run} of segment "${segment}"`, () => readFirstLine(file));
			if (line === undefined) continue; // dropped as older than the last 30 since the scan
			const header = parseRunHeader(segment, file, line);
			infos.push({ segment, run, runAt: header.runAt, mode: header.mode, entered: header.entered, left: header.left });
		}
		return infos;
	}

	async loadSegmentRun(segment: string, wanted: number | 'latest'): Promise<SegmentRunRecord> {
		checkStoreName(segment, 'segment');
		const which = checkRunNumber(segment, wanted);
		const dir = this.segmentRunsDir(segment);
		const runs = await this.io(`list the runs of segment "${segment}"`, () => scanSegmentRuns(dir));
		const run = which === 'latest' ? runs[runs.length - 1] : which;
		if (run === undefined || !runs.includes(run)) throw noSuchRun(segment, which, runs, this.location);
		const file = path.join(dir, segmentRunFileName(run));
		const content = await this.io(`read run ${run} of segment "${segment}"`, () => fsp.readFile(file, 'utf8'));
		return parseRunFile(segment, run, file, content);
	}

	// Remembered scoring runs: runs/<model>/<id>.run.json.gz, the id telling when it was saved and what it holds.

	async saveRun(record: ScoringRunRecord, keep?: number): Promise<ScoringRunInfo> {
		const checked = checkRunRecord(record);
		checkStoreName(checked.model, 'model');
		const kept = checkKeepRuns(keep);
		const dir = this.runDir(checked.model);
		const savedAt = new Date().toISOString();
		const id = runId(savedAt, checked);
		await this.io(`remember a scoring run of "${checked.model}"`, async () => {
			await fsp.mkdir(dir, { recursive: true });
			// The one atomic writer: a whole file or none, gzip-compressed for the .gz name.
			await writeFileAtomically(path.join(dir, `${id}${runSuffix}`), JSON.stringify(checked));
			const ids = await scanRuns(dir);
			for (const old of ids.slice(0, Math.max(0, ids.length - kept))) await fsp.rm(path.join(dir, `${old}${runSuffix}`), { force: true });
		});
		return { model: checked.model, id, scoreDate: checked.scoreDate, modelVersion: checked.modelVersion, scored: checked.scored, savedAt };
	}

	async listRuns(model: string): Promise<ScoringRunInfo[]> {
		checkStoreName(model, 'model');
		const ids = await this.io(`list the scoring runs of "${model}"`, () => scanRuns(this.runDir(model)));
		return ids.map((id) => runInfoOf(model, id));
	}

	async loadRun(model: string, id: string): Promise<ScoringRunRecord> {
		checkStoreName(model, 'model');
		if (typeof id !== 'string' || !runIdPattern.test(id))
			throw new InputError(`"${String(id)}" is not a scoring run id: take one from listRuns("${model}").`, 'bad-run-id');
		const file = path.join(this.runDir(model), `${id}${runSuffix}`);
		const bytes = await this.io(`read a scoring run of "${model}"`, async () => {
			try {
				return await fsp.readFile(file);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code === 'ENOENT')
					throw new InputError(
						`Model "${model}" has no remembered scoring run ${id} in the store (${this.location}): it was never saved, or retention deleted it.`,
						'run-not-found',
					);
				throw error;
			}
		});
		const record = decodeRun(bytes, file);
		if (record.model !== model)
			throw new InputError(
				`The remembered scoring run ${file} holds a run of "${record.model}", not "${model}": delete it, or restore it from a backup.`,
				'run-corrupted',
			);
		return record;
	}

	private runDir(model: string): string {
		return path.join(this.root, 'runs', model);
	}

	async close(): Promise<void> {
		// Nothing is held open between calls.
	}

	private segmentRunsDir(segment: string): string {
		return path.join(this.root, 'segment-runs', segment);
	}

	private modelDir(name: string): string {
		return path.join(this.root, 'models', name);
	}

	private membershipFile(segment: string): string {
		return path.join(this.root, 'segments', `${segment}.json`);
	}

	/** The metadata of a saved version, checked against the schema and against its file name. */
	private async readInfo(name: string, version: number): Promise<ModelVersionInfo> {
		const file = path.join(this.modelDir(name), metaFileName(version));
		const content = await this.io(`read model "${name}"`, () => fsp.readFile(file, 'utf8'));
		let meta: z.infer<typeof metaSchema>;
		try {
			meta = metaSchema.parse(JSON.parse(content));
		} catch (error) {
			throw damagedMeta(
				name,
				version,
				file,
				error instanceof z.ZodError ? error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') : (error as Error).message,
			);
		}
		if (meta.name !== name || meta.version !== version) throw damagedMeta(name, version, file, `it describes version ${meta.version} of "${meta.name}"`);
		return { name, version, savedAt: meta.savedAt, checksum: meta.checksum, bytes: meta.bytes, summary: meta.summary };
	}

	private async noSuchModel(name: string): Promise<InputError> {
		const known = (await this.listModels()).map((model) => model.name);
		const hint = known.length > 0 ? `Saved models: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}.` : 'The store holds no models yet.';
		return new InputError(
			`No model named "${name}" in the store (${this.location}). ${hint} Train and save a model under that name, or use one of the saved ones.`,
			'model-not-found',
		);
	}

	/** Runs file work, turning operating-system errors into a message that names the store. */
	private async io<T>(operation: string, work: () => Promise<T>): Promise<T> {
		try {
			return await work();
		} catch (error) {
			if (error instanceof PropensityError) throw error;
			throw new PropensityError(
				`The model store (${this.location}) could not ${operation}: ${(error as Error).message}. Check that the folder exists, that this user may read and write it, and that the disk has room.`,
				'store-io',
			);
		}
	}
}

/** The file's text, or undefined when there is no such file. */
async function readIfPresent(file: string): Promise<string | undefined> {
	try {
		return await fsp.readFile(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw error;
	}
}

function isAllowedName(name: string): boolean {
	try {
		checkStoreName(name, 'model');
		return true;
	} catch {
		return false;
	}
}

/** Versions with both files (saved) and model files still without their meta file (unfinished), ascending. */
async function scanVersions(dir: string): Promise<{ saved: number[]; unfinished: number[] }> {
	const files = await filesIn(dir);
	const models = new Set<number>();
	const metas = new Set<number>();
	for (const file of files) {
		const model = modelFilePattern.exec(file);
		if (model) models.add(Number(model[1]));
		const meta = metaFilePattern.exec(file);
		if (meta) metas.add(Number(meta[1]));
	}
	const ascending = (a: number, b: number) => a - b;
	return {
		saved: [...models].filter((version) => metas.has(version)).sort(ascending),
		unfinished: [...models].filter((version) => !metas.has(version)).sort(ascending),
	};
}

/** Links the staged file to the first free version number above every existing one, and returns that number. */
function claimVersion(dir: string, staged: string): Promise<number> {
	return claimNumber(dir, staged, modelFilePattern, modelFileName);
}

/** Links the staged file to the first free number above every file the pattern matches, and returns that number. */
async function claimNumber(dir: string, staged: string, pattern: RegExp, fileName: (n: number) => string): Promise<number> {
	for (let attempt = 0; attempt < 10000; attempt++) {
		const taken = (await fsp.readdir(dir))
			.map((file) => pattern.exec(file))
			.filter((match) => match !== null)
			.map((match) => Number(match[1]));
		const next = Math.max(0, ...taken) + 1;
		try {
			// link() fails with EEXIST when the name is taken, so two writers never get the same number.
			await fsp.link(staged, path.join(dir, fileName(next)));
			return next;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
	}
	throw new PropensityError(`Could not claim a number in ${dir} after 10000 attempts: too many writers at once.`, 'store-busy');
}

/** The kept run numbers of a segment, ascending; none when it never ran. */
async function scanSegmentRuns(dir: string): Promise<number[]> {
	const files = await filesIn(dir);
	return files
		.map((file) => segmentRunFilePattern.exec(file))
		.filter((match) => match !== null)
		.map((match) => Number(match[1]))
		.sort((a, b) => a - b);
}

/** The first line of a file without reading the rest (a run's rows may be large), or undefined when it is gone. */
async function readFirstLine(file: string): Promise<string | undefined> {
	let handle: fsp.FileHandle;
	try {
		handle = await fsp.open(file, 'r');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw error;
	}
	try {
		const chunks: Buffer[] = [];
		const buffer = Buffer.alloc(4096);
		for (let position = 0; ;) {
			const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
			const newline = buffer.subarray(0, bytesRead).indexOf(10);
			chunks.push(Buffer.from(buffer.subarray(0, newline >= 0 ? newline : bytesRead)));
			if (newline >= 0 || bytesRead === 0) return Buffer.concat(chunks).toString('utf8');
			position += bytesRead;
		}
	} finally {
		await handle.close();
	}
}

/**
 * A lease not renewed for this long (ms) belongs to a run that died, and is taken over. Long
 * enough that a run whose event loop is busy for a while (explaining many profiles) keeps it.
 */
const leaseStaleMs = 120_000;
/** How often a waiting run looks at the lease again (ms). */
const leasePollMs = 100;

interface LeaseContent {
	readonly token: string;
	readonly holder: string;
}

async function readLease(file: string): Promise<LeaseContent | undefined> {
	try {
		const parsed = JSON.parse(await fsp.readFile(file, 'utf8')) as Partial<LeaseContent>;
		return typeof parsed.token === 'string' ? { token: parsed.token, holder: String(parsed.holder) } : undefined;
	} catch {
		return undefined; // gone, or being written
	}
}

/**
 * Creates the lease file (it fails when it exists, atomically, even on a shared disk), waiting
 * while another run holds it, and taking over one that went stale.
 */
async function takeLease(file: string, token: string, segment: string): Promise<void> {
	const holder = `process ${process.pid} on ${os.hostname()}, since ${new Date().toISOString()}`;
	const deadline = Date.now() + segmentLeaseWaitMs;
	for (;;) {
		try {
			const handle = await fsp.open(file, 'wx', 0o644);
			try {
				await handle.writeFile(JSON.stringify({ token, holder }), 'utf8');
			} finally {
				await handle.close();
			}
			return;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		const held = await fsp.stat(file).catch(() => undefined);
		if (held && Date.now() - held.mtimeMs > leaseStaleMs) {
			await breakStaleLease(file, held.ino);
			continue;
		}
		if (Date.now() > deadline) throw segmentBusy(segment, (await readLease(file))?.holder ?? 'a run that left no details');
		await new Promise((resolve) => setTimeout(resolve, leasePollMs + Math.floor(Math.random() * leasePollMs)));
	}
}

/**
 * Moves a stale lease aside (a rename: only one waiting run gets it). When the file moved
 * turns out to be another lease, taken just before, it is put back.
 */
async function breakStaleLease(file: string, staleIno: number): Promise<void> {
	const aside = `${file}.stale-${randomBytes(6).toString('hex')}`;
	try {
		await fsp.rename(file, aside);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw error;
	}
	const moved = await fsp.stat(aside).catch(() => undefined);
	if (moved && moved.ino !== staleIno) await fsp.link(aside, file).catch(() => undefined);
	await fsp.rm(aside, { force: true });
}

/** Renews the lease, if it is still this run's. */
async function touchLease(file: string, token: string): Promise<void> {
	if ((await readLease(file))?.token !== token) return;
	const now = new Date();
	await fsp.utimes(file, now, now).catch(() => undefined);
}

/** Removes the lease, if it is still this run's. */
async function releaseLease(file: string, token: string): Promise<void> {
	if ((await readLease(file))?.token === token) await fsp.rm(file, { force: true });
}

/** Writes the content to a new hidden temp file in the folder, flushed to disk, and returns its path. */
async function writeTemp(dir: string, label: string, content: string): Promise<string> {
	const file = path.join(dir, `.${label}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
	const handle = await fsp.open(file, 'wx', 0o644);
	try {
		await handle.writeFile(content, 'utf8');
		await handle.sync();
	} catch (error) {
		await handle.close();
		await fsp.rm(file, { force: true });
		throw error;
	}
	await handle.close();
	return file;
}

/** Flushes the folder's entries, so a rename survives a power cut; some systems cannot, which is harmless. */
async function syncFolder(dir: string): Promise<void> {
	try {
		const handle = await fsp.open(dir, 'r');
		try {
			await handle.sync();
		} finally {
			await handle.close();
		}
	} catch {
		// Windows cannot open a folder for syncing; the rename is still atomic there.
	}
}

function damagedMeta(name: string, version: number, file: string, problem: string): InputError {
	return new InputError(
		`The metadata of version ${version} of model "${name}" is damaged (${file}): ${problem}. Restore the file from a backup, or load another version.`,
		'model-corrupted',
		{ name, version, where: file },
	);
}

function parseMembershipFile(segment: string, file: string, content: string): Membership {
	const newline = content.indexOf('\n');
	if (newline < 0 || !content.endsWith('\n')) corruptMembership(segment, file, 'the file is cut short');
	let header: z.infer<typeof membershipHeaderSchema>;
	try {
		header = membershipHeaderSchema.parse(JSON.parse(content.slice(0, newline)));
	} catch (error) {
		corruptMembership(segment, file, `its first line is not a membership header (${(error as Error).message.split('\n')[0]})`);
	}
	if (header.segment !== segment) corruptMembership(segment, file, `it holds segment "${header.segment}"`);
	const body = content.slice(newline + 1, -1);
	if (sha256(body) !== header.checksum)
		corruptMembership(segment, file, `its member list does not match the checksum ${header.checksum} recorded when it was saved`);
	const members: unknown = JSON.parse(body);
	if (!Array.isArray(members) || members.length !== header.count) corruptMembership(segment, file, `it should list ${header.count} members`);
	return { members: members as string[], runAt: header.runAt };
}

function parseRunHeader(segment: string, file: string, line: string): z.infer<typeof runHeaderSchema> {
	let header: z.infer<typeof runHeaderSchema>;
	try {
		header = runHeaderSchema.parse(JSON.parse(line));
	} catch (error) {
		corruptRun(segment, file, `its first line is not a run header (${(error as Error).message.split('\n')[0]})`);
	}
	if (header.segment !== segment) corruptRun(segment, file, `it holds a run of segment "${header.segment}"`);
	return header;
}

function parseRunFile(segment: string, run: number, file: string, content: string): SegmentRunRecord {
	const newline = content.indexOf('\n');
	if (newline < 0 || !content.endsWith('\n')) corruptRun(segment, file, 'the file is cut short');
	const header = parseRunHeader(segment, file, content.slice(0, newline));
	const body = content.slice(newline + 1, -1);
	if (sha256(body) !== header.checksum) corruptRun(segment, file, `its rows do not match the checksum ${header.checksum} recorded when the run was kept`);
	const rows = JSON.parse(body) as { entered?: unknown; left?: unknown };
	if (!Array.isArray(rows.entered) || !Array.isArray(rows.left) || rows.entered.length !== header.entered || rows.left.length !== header.left) {
		corruptRun(segment, file, `it should hold ${header.entered} entered and ${header.left} left`);
	}
	return {
		segment,
		run,
		runAt: header.runAt,
		mode: header.mode,
		entered: rows.entered as SegmentRunRecord['entered'],
		left: rows.left as SegmentRunRecord['left'],
	};
}

/** "1–5, 8" for a sorted list of versions. */
export function describeVersions(versions: readonly number[]): string {
	const parts: string[] = [];
	for (let i = 0; i < versions.length;) {
		let j = i;
		while (j + 1 < versions.length && versions[j + 1] === versions[j] + 1) j++;
		parts.push(j === i ? String(versions[i]) : `${versions[i]}–${versions[j]}`);
		i = j + 1;
	}
	return parts.join(', ') || 'none';
}

/** The file names in a folder; none when the folder is not there yet. */
async function filesIn(dir: string): Promise<string[]> {
	try {
		return await fsp.readdir(dir);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
		throw error;
	}
}
