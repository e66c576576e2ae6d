// Names for the contract's shapes, from the generated files (rest.gen.ts: OpenAPI, socket.gen.ts: AsyncAPI).
import type { components } from "./rest.gen";

type Schemas = components["schemas"];

export type User = Schemas["User"];
export type Tokens = Schemas["Tokens"];
export type Role = User["role"];
export type UserStatus = User["status"];
export type Account = Schemas["Account"];
export type AccountPage = Schemas["AccountPage"];
export type ErrorDetail = Schemas["Error"]["detail"];
