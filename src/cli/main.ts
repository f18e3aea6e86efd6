// npm run cli -- <command> [options]: the Node entry point with subcommands. Each command module exports a
// function that takes the arguments after the command name and returns the exit code.
import { FILL_MASK_HELP, runFillMask } from './fill-mask';

interface Command {
  summary: string;
  help: string;
  run(args: readonly string[]): Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  'fill-mask': {
    summary: 'predict the tokens behind [MASK] with a BERT masked-language model',
    help: FILL_MASK_HELP,
    run: runFillMask,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const commands = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return ['Usage: npm run cli -- <command> [options]', '', 'Commands:', ...commands, '', 'Run `npm run cli -- <command> --help` for the options of a command.'].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && args[0] !== undefined ? COMMANDS[args[0]] : undefined;
    console.log(topic?.help ?? usage());
    return name === undefined ? 1 : 0;
  }

  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    console.error(`Unknown command "${name}".\n\n${usage()}`);
    return 1;
  }
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Input and file errors carry a message that states what to fix, so the stack trace would only add noise.
    console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
