// The shape of a catalog area: English texts, and their Spanish translation
// with exactly the same keys and parameters (a missing or extra entry, or a
// template taking other parameters, does not compile).

/** What a message's parameters may hold: they travel between nodes as JSON. */
export type Param = string | number | boolean | readonly string[] | undefined;

/** A fixed text, or one built from named parameters. */
export type Template = string | ((params: never) => string);

export type Templates = Record<string, Template>;

/** The translation of an English area: a text for a text, a function of the same parameters for a function. */
export type Translation<T extends Templates> = { readonly [K in keyof T]: T[K] extends string ? string : T[K] };
