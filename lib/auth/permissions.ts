// Who may call what. Every action reachable from outside declares its access;
// this one function enforces it for REST and Socket.IO alike.
import { Forbidden, Unauthorized } from "../errors";
import { msg } from "../i18n/message";
import { ROLES, type Role } from "../models/users";
import type { Caller } from "./caller";

/** "public": anyone; "authenticated": any logged-in user; a role list: only those roles. */
export type Access = "public" | "authenticated" | readonly Role[];

export function checkAccess(access: Access, caller: Caller | undefined | null): void {
  if (access === "public") return;
  if (!caller) throw new Unauthorized("TOKEN_MISSING");
  if (access === "authenticated") return;
  if (!access.includes(caller.role)) throw new Forbidden();
}

export function isAccess(value: unknown): value is Access {
  return (
    value === "public" ||
    value === "authenticated" ||
    (Array.isArray(value) && value.length > 0 && value.every((role) => (ROLES as readonly unknown[]).includes(role)))
  );
}

/** Row-level rule shared by user endpoints: admins act on anyone, others only on themselves. */
export function assertSelfOrAdmin(caller: Caller, userId: string): void {
  if (caller.role !== "admin" && caller.id !== userId) throw new Forbidden(msg("auth.ownUserOnly"));
}
