// Preload (NODE_OPTIONS="-r ./scripts/codec-record.js", CODEC_RECORD=file): appends every message
// the library packs for the addon to CODEC_RECORD as { packed: hex } lines, the input
// scripts/codec-diff.js re-encodes with both codecs (the messages the families really build).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const file = process.env.CODEC_RECORD;
if (file) {
  const packModule = require(path.join(__dirname, '..', 'dist', 'src', 'pack.js'));
  const pack = packModule.pack;
  packModule.pack = (values, field) => {
    for (const v of values) fs.appendFileSync(file, `${JSON.stringify({ packed: pack([v]).toString('hex') })}\n`);
    return pack(values, field);
  };
}
