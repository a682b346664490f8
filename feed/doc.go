// Package feed builds the RSS 2.0 document of a podcast from plain values.
//
// It owns everything a podcast app reads from the feed: the RSS core, made
// by github.com/eduncan911/podcast (the only importer of that module in
// readcast), and the tags that library cannot express, which feed adds as
// encoding/xml structs that embed the library's channel and items
// (render.go), so that encoding/xml escapes every text and attribute:
//
//   - Apple's itunes:type, itunes:episode, itunes:episodeType, integer
//     itunes:duration, itunes:explicit true/false, nested itunes:category
//     checked against Apple's list, itunes:owner, itunes:image;
//   - Podcasting 2.0's podcast:guid, podcast:locked with its owner,
//     podcast:transcript (VTT, SRT, JSON, HTML; rel="captions" on the timed
//     formats), podcast:chapters and podcast:txt purpose="ai-content" when
//     the narration is synthesized;
//   - Podlove Simple Chapters (psc:chapters) inline in each item, for apps
//     such as gPodder that read no other chapter source;
//   - item guid isPermaLink="false", and description and content:encoded as
//     CDATA HTML that lists the chapters with their timestamps.
//
// Build is pure: it never reads the clock or the network, so the same input
// gives the same bytes (the golden file in testdata proves it). It checks
// its input first and reports every problem at once.
//
// The package imports nothing from readcast's internal packages: callers
// translate their own types into Show and Episode.
package feed
