// /flows: the list of flows, and /flows/<id>: the builder of one.
import { Route, Routes } from "react-router";
import { FlowEditor } from "./FlowEditor";
import { FlowList } from "./FlowList";

export function FlowsPage() {
  return (
    <Routes>
      <Route index element={<FlowList />} />
      <Route path=":id" element={<FlowEditor />} />
    </Routes>
  );
}
