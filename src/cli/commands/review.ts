import type { Command } from 'commander';
import { Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { UserError } from '../../core/errors.js';
import { createLogger } from '../../core/context.js';
import { loadPack } from '../../policy/load.js';
import { queueAgreement } from '../../review/agreement.js';
import { appealTasks, appealTasksOf, applyDoubleShare, borderlineFromRun, frontierTasksOf, preferenceTasks, sampleFromRun, trafficSample, trafficSampleOf } from '../../review/create.js';
import { exportRows, toJsonl, type ExportKind } from '../../review/export.js';
import { judgeAgreementIn } from '../../review/judge-agreement.js';
import { hashPassword } from '../../review/password.js';
import { createReviewApp, startReviewServer } from '../../review/web/app.js';
import { describeStore, openStore, type OpenStore } from '../../store/open.js';
import { createPgAuditStore } from '../../store/pg/gateway.js';
import { REVIEW_ROLES, type NewTask, type QueueKind, type ReviewRole } from '../../store/review.js';
import { cliEnv, example, intOption, printJson, readStdin, withConfig, withJson, type CommonOpts } from '../shared.js';

/** `pillars review`: create queues, list them, export verdicts/preferences/items, manage reviewers, serve the app. */

/** Open the configured store (SQLite file or PostgreSQL), run `fn`, close it. */
async function withStore<T>(opts: CommonOpts, fn: (store: OpenStore) => Promise<T> | T): Promise<T> {
  const { config } = cliEnv(opts);
  const store = await openStore(config.storePath);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const shareArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`--double expects a share between 0 and 1, got "${v}"`);
  return n;
};

interface CreateOpts extends CommonOpts {
  fromRun?: string;
  sample?: number;
  borderline?: boolean;
  frontier?: boolean;
  target?: string;
  preferences?: string;
  appeals?: string;
  traffic?: number;
  name?: string;
  double: number;
  seed: number;
  limit?: number;
}

async function buildTasks(store: OpenStore, o: CreateOpts): Promise<{ kind: QueueKind; tasks: NewTask[]; source: Record<string, unknown> }> {
  const modes = [o.sample !== undefined, !!o.borderline, !!o.frontier, !!o.preferences, !!o.appeals, o.traffic !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UserError('give exactly one of --sample N, --borderline, --frontier, --preferences FILE, --appeals FILE, --traffic N');
  if ((o.sample !== undefined || o.borderline) && !o.fromRun) throw new UserError('--sample and --borderline need --from-run RUN (a run id or `last`)');
  if (o.sample !== undefined) {
    const r = await sampleFromRun({ runs: store.runs, runId: o.fromRun!, n: o.sample, seed: o.seed });
    return { kind: 'sample', tasks: r.tasks, source: { run: r.runId, sample: o.sample, seed: o.seed } };
  }
  if (o.borderline) {
    const r = await borderlineFromRun({ runs: store.runs, runId: o.fromRun!, limit: o.limit });
    return { kind: 'borderline', tasks: r.tasks, source: { run: r.runId, borderline: true } };
  }
  if (o.frontier) return { kind: 'frontier', tasks: await frontierTasksOf(store.frontier, o.target), source: { frontier: true, target: o.target ?? null } };
  if (o.preferences) return { kind: 'preference', tasks: preferenceTasks(o.preferences), source: { file: o.preferences } };
  // The gateway's audit log: read on SQLite as before, through the audit store on PostgreSQL.
  const audit = store.db ? null : createPgAuditStore(store.sql!);
  if (o.appeals) return { kind: 'appeal', tasks: audit ? await appealTasksOf({ audit, file: o.appeals }) : appealTasks({ db: store.db!, file: o.appeals }), source: { file: o.appeals } };
  const traffic = audit ? await trafficSampleOf({ audit, n: o.traffic!, seed: o.seed }) : trafficSample({ db: store.db!, n: o.traffic!, seed: o.seed });
  return { kind: 'traffic', tasks: traffic, source: { traffic: o.traffic, seed: o.seed } };
}

/** Read a password: the first line of stdin when piped, else a prompt without echo. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return (await readStdin()).split(/\r?\n/)[0] ?? '';
  process.stderr.write('password: ');
  process.stdin.setRawMode(true);
  process.stdin.resume();
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          done();
          return resolve(buf);
        }
        if (ch === '\u0003') {
          done();
          return reject(new UserError('interrupted'));
        }
        if (ch === '\u007f') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    const done = (): void => {
      process.stdin.off('data', onData);
      process.stdin.setRawMode(false);
      process.stdin.pause();
      process.stderr.write('\n');
    };
    process.stdin.on('data', onData);
  });
}

export function registerReview(program: Command): void {
  const review = program.command('review').description('human review: queues, reviewers, agreement, exports and the review web app');
  example(review, ['pillars review create --from-run last --sample 50 --double 0.2', 'pillars review serve --port 8790']);

  example(
    withJson(
      withConfig(
        review
          .command('create')
          .description('create a review queue from a run, frontier cases, a preference file, appeals or gateway traffic')
          .option('--from-run <run>', 'the eval run (id or `last`) for --sample / --borderline')
          .addOption(intOption('--sample <n>', 'a seeded random sample of n outputs of the run'))
          .option('--borderline', "the run's borderline outputs: judges disagree or are unsure")
          .option('--frontier', 'the open frontier review cases (a verdict signs the case off)')
          .option('--target <id>', 'with --frontier: only this target')
          .option('--preferences <file>', 'JSONL of {prompt | messages, responses: [2-4 strings], policy?}: ranking tasks')
          .option('--appeals <file>', 'JSONL of {requestId | text, note?}: appeals against guard decisions')
          .addOption(intOption('--traffic <n>', 'a seeded random sample of n gateway requests whose prompts were captured'))
          .option('--name <queue>', 'queue name (default: derived from the source)')
          .addOption(new Option('--double <share>', 'share of tasks reviewed twice (0-1)').argParser(shareArg).default(0))
          .addOption(intOption('--seed <n>', 'seed for sampling and the double-review draw', 1))
          .addOption(intOption('--limit <n>', 'at most n tasks')),
      ),
    ),
    ['pillars review create --from-run last --sample 30 --double 0.25', 'pillars review create --from-run last --borderline --name triage', 'pillars review create --preferences prefs.jsonl --name prefs-nov'],
  ).action(async (o: CreateOpts) => {
    await withStore(o, async (store) => {
      const built = await buildTasks(store, o);
      let tasks = o.limit !== undefined ? built.tasks.slice(0, o.limit) : built.tasks;
      if (tasks.length === 0) throw new UserError(`nothing to review: the ${built.kind} source gave no tasks`, { exitCode: 1 });
      tasks = applyDoubleShare(tasks, o.double, o.seed);
      const name = o.name ?? `${built.kind}-${String(built.source.run ?? '').slice(0, 22) || new Date().toISOString().slice(0, 16).replace(/[-:]/g, '')}`.replace(/-$/, '');
      const q = await store.review.createQueue({ name, kind: built.kind, source: built.source, doubleShare: o.double, createdBy: process.env.USER ?? null, tasks });
      const doubled = tasks.filter((t) => (t.requiredReviews ?? 1) > 1).length;
      if (o.json) printJson({ queue: q, tasks: tasks.length, double: doubled });
      else process.stdout.write(`queue ${q.id} "${q.name}": ${tasks.length} ${built.kind} task(s), ${doubled} for double review\n`);
    });
  });

  example(withJson(withConfig(review.command('list').description('review queues with progress and agreement'))), ['pillars review list', 'pillars review list --json']).action(async (o: CommonOpts) => {
    await withStore(o, async ({ review: store }) => {
      const rows = [];
      for (const q of await store.listQueues()) {
        const p = await store.progress(q.id);
        const a = await queueAgreement(store, q.id);
        const members = (await store.members(q.id)).map((u) => u.name);
        rows.push({ id: q.id, name: q.name, kind: q.kind, double_share: q.doubleShare, tasks: p.tasks, complete: p.complete, reviews: a.reviews, kappa: a.double.kappa, alpha: a.double.alpha, source: q.source, members });
      }
      if (o.json) return printJson(rows);
      if (rows.length === 0) return void process.stdout.write('no review queues yet: `pillars review create` makes one\n');
      for (const r of rows) {
        process.stdout.write(`${r.id}\t${r.name}\t${r.kind}\t${r.complete}/${r.tasks} complete\t${r.reviews} reviews\tkappa ${r.kappa ?? '–'}\talpha ${r.alpha ?? '–'}${r.members.length ? `\tassigned: ${r.members.join(', ')}` : ''}\n`);
      }
    });
  });

  example(
    withConfig(
      review
        .command('export')
        .description('export review results as JSONL: verdicts (who/when), preferences ({prompt, chosen, rejected}), items (confirmed breaks, source: review), labels (human labels for `pillars judge --in`)')
        .addOption(new Option('--kind <kind>', 'what to export').choices(['verdicts', 'preferences', 'items', 'labels']).makeOptionMandatory())
        .option('--out <file>', 'write to this file (default: stdout)'),
    ),
    [
      'pillars review export --kind verdicts',
      'pillars review export --kind preferences --out prefs.jsonl',
      'pillars review export --kind items --out found.jsonl && pillars eval --suite found.jsonl',
      'pillars review export --kind labels --out labels.jsonl && pillars judge --judge refusal --in labels.jsonl',
    ],
  ).action(async (o: CommonOpts & { kind: ExportKind; out?: string }) => {
    await withStore(o, async (store) => {
      const rows = await exportRows(store.review, o.kind);
      const text = toJsonl(rows);
      if (o.out) {
        writeFileSync(o.out, text);
        process.stderr.write(`${rows.length} ${o.kind} row(s) written to ${o.out}\n`);
      } else process.stdout.write(text);
    });
  });

  example(
    withJson(withConfig(review.command('agreement').description("judges' agreement with review verdicts on a run, and reviewers' agreement per queue").option('--run <run>', 'the run (id or `last`)').option('--queue <queue>', 'one queue (id or name)'))),
    ['pillars review agreement --run last', 'pillars review agreement --queue triage --json'],
  ).action(async (o: CommonOpts & { run?: string; queue?: string }) => {
    await withStore(o, async (opened) => {
      const store = opened.review;
      const queues = [];
      for (const q of o.queue ? [await store.resolveQueue(o.queue)] : await store.listQueues()) queues.push(await queueAgreement(store, q.id));
      const judges = o.run ? await judgeAgreementIn(opened, o.run) : null;
      if (o.json) return printJson({ judges, queues });
      if (judges) {
        process.stdout.write(`run ${judges.runId}: ${judges.labelled} labelled items (${judges.reviewed} through review)\n`);
        for (const j of judges.judges) process.stdout.write(`  judge ${j.judge} vs human ${j.labelKey}: n=${j.n} agreement=${(j.agreement * 100).toFixed(1)}% kappa=${Number.isFinite(j.kappa) ? j.kappa.toFixed(3) : '–'}\n`);
      }
      for (const q of queues) {
        process.stdout.write(`queue ${q.queue} (${q.kind}): ${q.reviews} reviews of ${q.tasks} tasks; double-reviewed ${q.double.units}: kappa ${q.double.kappa ?? '–'} alpha ${q.double.alpha ?? '–'}\n`);
        for (const r of q.reviewers) process.stdout.write(`  ${r.reviewer}: ${r.reviews} reviews; vs peers n=${r.peers.n} kappa ${r.peers.kappa ?? '–'}; vs judge n=${r.judge.n} kappa ${r.judge.kappa ?? '–'}\n`);
      }
    });
  });

  const users = review.command('users').description('reviewer accounts');
  example(users, ['pillars review users add --name ana --role reviewer', 'pillars review users list']);
  example(
    withJson(
      withConfig(
        users
          .command('add')
          .description('add a reviewer; the password is read from stdin (first line) or prompted')
          .requiredOption('--name <name>', 'sign-in name')
          .addOption(new Option('--role <role>', 'role').choices([...REVIEW_ROLES]).makeOptionMandatory())
          .option('--queue <queue...>', 'queues (id or name) assigned to the reviewer; experts and vendors see only these'),
      ),
    ),
    ['pillars review users add --name ana --role reviewer', "printf '%s\\n' \"$PW\" | pillars review users add --name acme-1 --role vendor --queue triage"],
  ).action(async (o: CommonOpts & { name: string; role: ReviewRole; queue?: string[] }) => {
    await withStore(o, async ({ review: store }) => {
      const queues = [];
      for (const q of o.queue ?? []) queues.push(await store.resolveQueue(q));
      if (await store.userByName(o.name)) throw new UserError(`a reviewer named "${o.name}" already exists`);
      const password = await readPassword();
      if (!process.stdin.isTTY && password === '') {
        throw new UserError(`no password for "${o.name}": stdin is not a terminal and held no password. Run the command in a terminal (it asks for one), or give it on stdin: printf '%s\\n' "$PASSWORD" | pillars review users add --name ${o.name} --role ${o.role}`);
      }
      if (password.length < 8) throw new UserError(`the password must have at least 8 characters (got ${password.length}${process.stdin.isTTY ? '' : ', from the first line of stdin'})`);
      const user = await store.addUser({ name: o.name, role: o.role, passwordHash: await hashPassword(password) });
      for (const q of queues) await store.addMember(q.id, user.id);
      if (o.json) printJson({ ...user, queues: queues.map((q) => q.name) });
      else process.stdout.write(`reviewer ${user.name} (${user.role}) added${queues.length ? `, assigned to ${queues.map((q) => q.name).join(', ')}` : ''}\n`);
    });
  });
  example(withConfig(users.command('assign').description('assign a reviewer to more queues').requiredOption('--name <name>', 'the reviewer').requiredOption('--queue <queue...>', 'queues (id or name)')), [
    'pillars review users assign --name acme-1 --queue triage',
  ]).action(async (o: CommonOpts & { name: string; queue: string[] }) => {
    await withStore(o, async ({ review: store }) => {
      const user = await store.userByName(o.name);
      if (!user) throw new UserError(`no reviewer "${o.name}"`, { code: 'not_found' });
      for (const q of o.queue) await store.addMember((await store.resolveQueue(q)).id, user.id);
      process.stdout.write(`${user.name} assigned to ${o.queue.join(', ')}\n`);
    });
  });
  example(withJson(withConfig(users.command('list').description('reviewers, roles and queues'))), ['pillars review users list']).action(async (o: CommonOpts) => {
    await withStore(o, async ({ review: store }) => {
      const rows = await store.listUsers();
      if (o.json) return printJson(rows);
      for (const u of rows) process.stdout.write(`${u.name}\t${u.role}\tqueues: ${u.queues.join(',') || (u.role === 'admin' || u.role === 'reviewer' ? 'all' : 'none')}\n`);
    });
  });

  example(
    withConfig(
      review
        .command('serve')
        .description('run the review web app on its own (without the gateway)')
        .addOption(intOption('--port <port>', 'port to listen on', 8790))
        .option('--host <host>', 'address to listen on', '127.0.0.1'),
    ),
    ['pillars review serve --port 8790'],
  ).action(async (o: CommonOpts & { port: number; host: string }) => {
    const { config } = cliEnv(o);
    const pack = loadPack(config.policyPath).pack;
    const store = await openStore(config.storePath);
    const log = createLogger({ level: process.env.PILLARS_LOG ?? 'info' });
    let srv: Awaited<ReturnType<typeof startReviewServer>>;
    try {
      srv = await startReviewServer({ app: createReviewApp({ store, pack, log }), port: o.port, host: o.host });
    } catch (e) {
      await store.close();
      throw e;
    }
    // On PostgreSQL, any number of these processes serve the same reviewers (sessions live in the store).
    process.stderr.write(`pillars review app on ${srv.url} (store ${describeStore(config.storePath)})\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        void srv.close().finally(() => {
          void store.close().finally(resolve);
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });
}
