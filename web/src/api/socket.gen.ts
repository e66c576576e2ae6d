// Generated from GET /api/asyncapi.json by web/scripts/contract-types.mjs (UPDATE_WEB_TYPES=1 npx jest test/console.test.ts); do not edit.
export type paths = Record<string, never>;
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        new_message: {
            /** Format: uuid */
            conversation_id: string;
            message: {
                /** Format: uuid */
                id: string;
                /** Format: uuid */
                conversation_id: string;
                /** @enum {string} */
                direction: "inbound" | "outbound";
                /** @description text, image, video, audio, document, location, contact, sticker, buttons, list, button_reply, list_reply, reaction, … */
                type: string;
                content: string | null;
                metadata: {
                    [key: string]: unknown;
                };
                /** @enum {string} */
                status: "pending" | "sent" | "delivered" | "read" | "failed" | "received";
                failure_reason: string | null;
                sender: {
                    /** @enum {string} */
                    type: "contact" | "agent" | "bot" | "system";
                    id: string | null;
                    name: string | null;
                };
                /** @description An internal note: never sent to the customer */
                is_internal: boolean;
                media_url: string | null;
                /** Format: date-time */
                created_at: string;
                sent_at: string | null;
                delivered_at: string | null;
                read_at: string | null;
                /** @description Grows with every change: of two copies, keep the greater */
                version: number;
            };
        };
        message_status: {
            /** Format: uuid */
            message_id: string;
            /** Format: uuid */
            conversation_id: string;
            /** @enum {string} */
            status: "pending" | "sent" | "delivered" | "read" | "failed" | "received";
            version: number;
        };
        conversation_updated: {
            /** Format: uuid */
            conversation_id: string;
            /** @enum {string} */
            status: "bot" | "waiting" | "active" | "resolved";
            /** @enum {string} */
            priority: "low" | "normal" | "high" | "urgent";
            queue_id: string | null;
            assigned_to: string | null;
            change: string;
            version: number;
        };
        conversation_assigned: {
            /** Format: uuid */
            conversation_id: string;
            assigned_to: string | null;
            version: number;
        };
        typing: {
            /** Format: uuid */
            conversation_id: string;
            user: {
                /** Format: uuid */
                id: string;
                name: string;
            };
        };
        connection_status: {
            /** Format: uuid */
            account_id: string;
            /** @enum {string} */
            status: "disconnected" | "connecting" | "qr" | "connected" | "reconnecting" | "logged_out" | "banned";
            reason: string | null;
        };
        qr_code: {
            /** Format: uuid */
            account_id: string;
            /** @description A data: URL of a PNG */
            qr_code: string;
        };
        whatsapp_quota: {
            /** Format: uuid */
            account_id: string;
            used: number | null;
            total: number | null;
            status: string | null;
            cycle_ends_at: string | null;
        };
        sla_warning: {
            /** Format: uuid */
            conversation_id: string;
            /** @enum {string} */
            kind: "first_response" | "resolution";
            /** Format: date-time */
            due_at: string;
        };
        sla_breached: {
            /** Format: uuid */
            conversation_id: string;
            /** @enum {string} */
            kind: "first_response" | "resolution";
        };
        odoo_sync_progress: {
            /** Format: uuid */
            job_id: string;
            /** @enum {string} */
            status: "running" | "done" | "failed";
            /** @enum {string} */
            phase: "pull" | "push" | "done";
            total: number;
            processed: number;
            created: number;
            updated: number;
            pushed: number;
            skipped: number;
            failed: number;
            /** @description The first records that could not be synced, and why (the others still are) */
            failures: {
                record: string;
                error: string;
            }[];
            error: string | null;
        };
        session_revoked: {
            /** @constant */
            reason: "session_ended";
        };
        token_expired: {
            /** @constant */
            reason: "token_expired";
        };
        catch_up: {
            /** @enum {string} */
            reason: "node_lost" | "realtime_interrupted";
        };
        join_conversation_request: {
            /** Format: uuid */
            conversation_id: string;
        };
        join_conversation_ack: {
            /** @constant */
            ok: true;
            /** Format: uuid */
            conversation_id: string;
        } | {
            /** @constant */
            ok: false;
            detail: {
                code: string;
                message: string;
                field: string | null;
            };
        };
        leave_conversation_request: {
            /** Format: uuid */
            conversation_id: string;
        };
        leave_conversation_ack: {
            /** @constant */
            ok: true;
            /** Format: uuid */
            conversation_id: string;
        } | {
            /** @constant */
            ok: false;
            detail: {
                code: string;
                message: string;
                field: string | null;
            };
        };
        typing_request: {
            /** Format: uuid */
            conversation_id: string;
        };
        typing_ack: {
            /** @constant */
            ok: true;
            /** Format: uuid */
            conversation_id: string;
        } | {
            /** @constant */
            ok: false;
            detail: {
                code: string;
                message: string;
                field: string | null;
            };
        };
        refusal_ack: {
            /** @constant */
            ok: false;
            detail: {
                code: string;
                message: string;
                field: string | null;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
/** What the server emits: each event's payload. */
export interface ServerEvents {
    new_message: components["schemas"]["new_message"];
    message_status: components["schemas"]["message_status"];
    conversation_updated: components["schemas"]["conversation_updated"];
    conversation_assigned: components["schemas"]["conversation_assigned"];
    typing: components["schemas"]["typing"];
    connection_status: components["schemas"]["connection_status"];
    qr_code: components["schemas"]["qr_code"];
    whatsapp_quota: components["schemas"]["whatsapp_quota"];
    sla_warning: components["schemas"]["sla_warning"];
    sla_breached: components["schemas"]["sla_breached"];
    odoo_sync_progress: components["schemas"]["odoo_sync_progress"];
    session_revoked: components["schemas"]["session_revoked"];
    token_expired: components["schemas"]["token_expired"];
    catch_up: components["schemas"]["catch_up"];
}
/** What a client emits: each event's payload and the acknowledgement it gets. */
export interface ClientEvents {
    join_conversation: { payload: components["schemas"]["join_conversation_request"]; ack: components["schemas"]["join_conversation_ack"] };
    leave_conversation: { payload: components["schemas"]["leave_conversation_request"]; ack: components["schemas"]["leave_conversation_ack"] };
    typing: { payload: components["schemas"]["typing_request"]; ack: components["schemas"]["typing_ack"] };
}
