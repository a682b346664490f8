// Print what podcast-partytime reads from a feed, as JSON.
// Usage: node check.cjs FEED.xml (run by parsers_test.go, with LOG=silent).
"use strict";
const fs = require("fs");
const { parseFeed } = require("podcast-partytime");
const { version } = require("podcast-partytime/package.json");

const feed = parseFeed(fs.readFileSync(process.argv[2], "utf8"));
if (!feed) {
  console.error("partytime could not parse the feed");
  process.exit(1);
}
const { items, ...channel } = feed;
process.stdout.write(JSON.stringify({ version, channel, items }, null, 1));
