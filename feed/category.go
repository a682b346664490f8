package feed

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
)

//go:embed categories.txt
var categoriesText string

// appleCategories maps each Apple Podcasts category to its subcategories.
var appleCategories = parseCategories(categoriesText)

// parseCategories reads categories.txt: a category per unindented line,
// its subcategories on the indented lines below it.
func parseCategories(text string) map[string][]string {
	m := make(map[string][]string)
	var top string
	for _, line := range strings.Split(text, "\n") {
		name := strings.TrimSpace(line)
		switch {
		case name == "" || strings.HasPrefix(name, "#"):
		case line[0] == ' ':
			if top == "" {
				panic("feed: categories.txt: subcategory " + name + " before any category")
			}
			m[top] = append(m[top], name)
		default:
			top = name
			m[top] = nil
		}
	}
	return m
}

// Validate returns nil if c is on Apple's category list (Name a category,
// and Sub, when set, one of its subcategories), and an error saying why not
// otherwise. Apple Podcasts rejects a feed
// with any other category. The error names the right parent when Sub
// belongs to another category.
func (c Category) Validate() error {
	subs, ok := appleCategories[c.Name]
	if !ok {
		if parent := parentOf(c.Name); parent != "" {
			return fmt.Errorf("category %q is a subcategory of %q: use Name %q, Sub %q", c.Name, parent, parent, c.Name)
		}
		return fmt.Errorf("category %q is not an Apple Podcasts category", c.Name)
	}
	if c.Sub == "" {
		return nil
	}
	for _, s := range subs {
		if s == c.Sub {
			return nil
		}
	}
	if parent := parentOf(c.Sub); parent != "" {
		return fmt.Errorf("subcategory %q belongs to %q, not %q", c.Sub, parent, c.Name)
	}
	if _, ok := appleCategories[c.Sub]; ok {
		return fmt.Errorf("%q is a category of its own, not a subcategory of %q: give it its own Category", c.Sub, c.Name)
	}
	if len(subs) == 0 {
		return fmt.Errorf("category %q has no subcategories, so %q is not one", c.Name, c.Sub)
	}
	return fmt.Errorf("subcategory %q is not one of %q's: %s", c.Sub, c.Name, strings.Join(subs, ", "))
}

// parentOf returns the category that has sub as a subcategory, or "".
// Names are unique across categories, so there is at most one.
func parentOf(sub string) string {
	names := make([]string, 0, len(appleCategories))
	for name := range appleCategories {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, s := range appleCategories[name] {
			if s == sub {
				return name
			}
		}
	}
	return ""
}
