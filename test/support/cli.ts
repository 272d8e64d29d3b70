/** Runs `propensity …` in-process, as a user would from a terminal, and captures what it printed. */
import { Writable } from 'node:stream';
import type { CliIo } from '../../cli/command';
import { main } from '../../cli/main';

export interface CliRun {
	code: number;
	stdout: string;
	stderr: string;
}

export async function runCli(...argv: string[]): Promise<CliRun> {
	let stdout = '';
	let stderr = '';
	const sink = (add: (text: string) => void) =>
		new Writable({
			write(chunk, _encoding, done) {
				add(String(chunk));
				done();
			},
		});
	const io: CliIo = { stdout: sink((text) => (stdout += text)), stderr: sink((text) => (stderr += text)), interactive: false };
	const code = await main(argv, io);
	return { code, stdout, stderr };
}
