/**
 * Background work yields the CPU to the thread answering requests. On Linux, setpriority(2)
 * with PRIO_PROCESS and who = 0 sets the nice value of the calling thread only (NPTL threads
 * each have their own; `man 2 setpriority`, NOTES/BUGS), so a worker thread can lower itself
 * and leave the request thread alone; threads it starts afterwards inherit its value. Elsewhere
 * the same call renices the whole process, requests included, so it is Linux only.
 */
import os from 'node:os';

/**
 * Raises this thread's nice value to `nice` (1-19; 0 = off). Never lowers it (that needs
 * privileges and would undo an operator's `nice`), never throws. Returns whether it changed.
 */
export function lowerThreadPriority(nice: number, platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'linux' || !(nice > 0)) return false;
  try {
    if (os.getPriority() >= nice) return false;
    os.setPriority(nice);
    return true;
  } catch {
    // Out of range or refused by the system: the work still runs, at the priority it had.
    return false;
  }
}
