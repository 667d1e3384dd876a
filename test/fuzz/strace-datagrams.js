// Reads `strace -xx -e trace=recvmsg -e read=all` output (on stdin) and prints each datagram a
// process received from the kernel as one line of hex: the seeds' raw material (capture-seeds.sh).
// Datagrams another socket sent (nl_pid other than 0) and peeks (MSG_PEEK) are left out.
'use strict';
const lines = require('node:fs').readFileSync(0, 'utf8').split('\n');
let take = false;
let hex = '';
const flush = () => {
  if (hex) console.log(hex);
  hex = '';
};
for (const line of lines) {
  const call = /recvmsg\(.*\) = (\d+)/.exec(line);
  if (call || /^\s*\d*\s*recvmsg\(/.test(line)) {
    flush();
    take = !!call && /nl_pid=0\b/.test(line) && !/MSG_PEEK/.test(line) && Number(call[1]) > 0;
    continue;
  }
  const dump = /^\s*(?:\d+\s+)?\| [0-9a-f]{5}  ((?:[0-9a-f]{2} {1,2}){1,16})/.exec(line);
  if (dump && take) hex += dump[1].replace(/\s+/g, '');
}
flush();
