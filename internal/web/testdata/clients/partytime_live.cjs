// Print what podcast-partytime reads from a live feed, as JSON, with what the
// server answers for every transcript and chapters URL it found.
// Usage: node partytime_live.cjs NODE_DIR FEED_URL (run by clients_test.go,
// with LOG=silent). NODE_DIR holds the podcast-partytime install
// (feed/testdata/node); the feed and every linked file are fetched with
// node's fetch, as a web player built on partytime would.
"use strict";
const { createRequire } = require("module");
const crypto = require("crypto");
const path = require("path");

const [nodeDir, feedURL] = process.argv.slice(2);
const req = createRequire(path.join(path.resolve(nodeDir), "package.json"));
const { parseFeed } = req("podcast-partytime");
const { version } = req("podcast-partytime/package.json");

async function get(url) {
  const resp = await fetch(url);
  const body = Buffer.from(await resp.arrayBuffer());
  return {
    url,
    status: resp.status,
    contentType: resp.headers.get("content-type"),
    cors: resp.headers.get("access-control-allow-origin"),
    size: body.length,
    sha256: crypto.createHash("sha256").update(body).digest("hex"),
    body,
  };
}

async function main() {
  const f = await get(feedURL);
  if (f.status !== 200) throw new Error(`GET ${feedURL}: ${f.status}`);
  const feed = parseFeed(f.body.toString("utf8"));
  if (!feed) throw new Error("partytime could not parse the feed");
  const fetched = {};
  for (const it of feed.items) {
    const urls = (it.podcastTranscripts || []).map((t) => t.url);
    if (it.podcastChapters) urls.push(it.podcastChapters.url);
    for (const url of urls) {
      const { body, ...r } = await get(url);
      if (it.podcastChapters && url === it.podcastChapters.url && r.status === 200) {
        r.chapters = JSON.parse(body.toString("utf8"));
      }
      fetched[url] = r;
    }
  }
  const { items, ...channel } = feed;
  process.stdout.write(JSON.stringify({ version, contentType: f.contentType, channel, items, fetched }, null, 1));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
