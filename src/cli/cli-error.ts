// A refusal of the command line itself (not of the kernel), printed as it is with its exit code:
// where nln mirrors an ip command, its text and code are ip's, so scripts written for ip read it.
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'CliError';
  }
}

/** ip's answer to a word it cannot place after a device name (`ip link show lo foo`): exit 255. */
export const garbage = (word: string) => new CliError(`Error: either "dev" is duplicate, or "${word}" is a garbage.`, 255);
