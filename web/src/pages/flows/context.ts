// What every canvas node shows besides its own data: the catalogue, the problem
// of the last save, and the path of the last sandbox run. Kept beside the nodes
// rather than in them, so the document conversion never sees it.
import { createContext, useContext } from "react";
import type { NodeType, Problem } from "./model";

export interface EditorView {
  types: ReadonlyMap<string, NodeType>;
  problem: Problem | null;
  path: { nodes: ReadonlySet<string>; edges: ReadonlySet<string> } | null;
}

export const EditorContext = createContext<EditorView>({ types: new Map(), problem: null, path: null });

export const useEditorView = (): EditorView => useContext(EditorContext);
