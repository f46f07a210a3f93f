// Reads a feed file with the npm package rss-parser, as a Node feed reader would, and prints
// what it shows of each item as JSON: tests/test_readers.py compares it with the front matter.
"use strict";
const fs = require("fs");
const Parser = require("rss-parser");

(async () => {
  const feed = await new Parser().parseString(fs.readFileSync(process.argv[2], "utf8"));
  const items = feed.items.map((item) => ({
    id: item.guid || item.id,
    creator: item.creator || null,
    author: item.author || null,
    categories: item.categories || [],
  }));
  process.stdout.write(JSON.stringify({ title: feed.title, items }));
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
