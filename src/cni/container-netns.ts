// Opening CNI_NETNS: a path the runtime gives (a bind mount or /proc/PID/ns/net). Failing to open
// it is reported with the code the command calls for (ADD: 4, bad environment; CHECK: 3, unknown container).
import { Netns } from '../netns';
import { CniError } from './errors';

export async function openContainer(path: string, missingCode: number): Promise<Netns> {
  try {
    return await Netns.open({ path });
  } catch (err) {
    throw new CniError(missingCode, `cannot open the container's network namespace ${path}`, (err as Error).message);
  }
}
