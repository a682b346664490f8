// Package segment turns a long written text into the outline of a show:
// title, sections, paragraphs, quotations, sentences and words, planned into
// episodes and chapters. It is pure: bytes in, an Outline out, no I/O.
//
// Two promises hold for every input that parses: nothing is lost (every word
// of the source is in exactly one narrated sentence or one dropped line, in
// order), and the same input gives the same outline, byte for byte, with
// sentence IDs derived from the sentences' own text.
package segment
