import fs from 'node:fs';
import { UsageError, type Command } from '../cli.js';
import { formatReport, runEval } from '../matching/eval/run-eval.js';

export const evalCommand: Command = {
  summary:
    'Rank a judged set with the matcher and the keywords / unspsc baselines; print nDCG@k, P@5, Recall@20 and MAP per firm and overall. The last line is machine-readable.',
  usage: 'eval --notices FILE --firms FILE --qrels FILE [--k 10]',
  options: {
    notices: { type: 'string' },
    firms: { type: 'string' },
    qrels: { type: 'string' },
    k: { type: 'string', default: '10' },
  },
  async run(ctx, values) {
    for (const name of ['notices', 'firms', 'qrels'] as const) {
      const file = values[name] as string | undefined;
      if (!file) throw new UsageError(`--${name} FILE is required`);
      if (!fs.existsSync(file)) throw new UsageError(`--${name}: no such file ${file}`);
    }
    const k = Number(values.k);
    if (!Number.isInteger(k) || k < 1 || k > 1000) throw new UsageError(`--k: expected an integer from 1 to 1000, got "${String(values.k)}"`);
    const report = runEval({ noticesFile: values.notices as string, firmsFile: values.firms as string, qrelsFile: values.qrels as string, k });
    for (const line of formatReport(report, k)) ctx.out(line);
    return 0;
  },
};
