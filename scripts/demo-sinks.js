#!/usr/bin/env node
'use strict';
// Local stand-ins for the example workflows' mail server and CRM, to try them on demo data
// (docs/n8n.md, "Example workflows"): an SMTP server on 127.0.0.1:2525 that accepts any message
// without login or TLS, and an HTTP endpoint on 127.0.0.1:2526 that accepts any POST. Each prints
// one line per message or request to stdout: a mail's recipients, subject and attachments, a
// request's path and JSON body. Nothing leaves the machine. Stop it with Ctrl-C (or kill).
// Usage: node scripts/demo-sinks.js [--smtp-port 2525] [--http-port 2526]
const http = require('node:http');
const { simpleParser } = require('mailparser');
const { SMTPServer } = require('smtp-server');

function portOption(name, fallback) {
	const at = process.argv.indexOf(name);
	const port = at === -1 ? fallback : Number(process.argv[at + 1]);
	if (!Number.isInteger(port) || port < 1 || port > 65535) {
		console.error(`${name} must be a port number (1–65535), not "${process.argv[at + 1]}".`);
		process.exit(2);
	}
	return port;
}

const smtpPort = portOption('--smtp-port', 2525);
const httpPort = portOption('--http-port', 2526);

const smtp = new SMTPServer({
	authOptional: true,
	disabledCommands: ['STARTTLS'],
	onData(stream, session, done) {
		simpleParser(stream)
			.then((mail) => {
				const to = session.envelope.rcptTo.map((rcpt) => rcpt.address).join(', ');
				const files = mail.attachments.map((file) => `${file.filename} (${file.size} bytes)`).join(', ') || 'none';
				console.log(`mail to ${to}: "${mail.subject}"; attachments: ${files}`);
				done();
			})
			.catch(done);
	},
});

const crm = http.createServer((request, response) => {
	let body = '';
	request.setEncoding('utf8');
	request.on('data', (chunk) => (body += chunk));
	request.on('end', () => {
		console.log(`${request.method} ${request.url} ${body}`);
		response.writeHead(200, { 'content-type': 'application/json' });
		response.end('{"ok":true}');
	});
});

function listening(what, port) {
	return (error) => {
		console.error(
			`Could not listen for ${what} on 127.0.0.1:${port}: ${error.message}. Is another copy running? Give another port with --${what === 'mail' ? 'smtp' : 'http'}-port.`,
		);
		process.exit(1);
	};
}

smtp.on('error', listening('mail', smtpPort));
crm.on('error', listening('the CRM', httpPort));
smtp.listen(smtpPort, '127.0.0.1', () => {
	crm.listen(httpPort, '127.0.0.1', () => console.log(`Listening: mail on 127.0.0.1:${smtpPort}, CRM on http://127.0.0.1:${httpPort}/`));
});
for (const signal of ['SIGINT', 'SIGTERM'])
	process.on(signal, () => {
		smtp.close(() => crm.close(() => process.exit(0)));
	});
