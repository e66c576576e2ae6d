// Applies one lifecycle event to a conversation's stored state through the
// lifecycle machine: the row is the snapshot, the machine decides what follows
// and refuses what may not happen from here.
import { transition } from "xstate";
import { conversationLifecycleMachine, type LifecycleEvent } from "./lifecycle.machine";
import { Conflict } from "../errors";
import { msg } from "../i18n/message";
import type { ConversationStatus } from "../models/conversations";

export type { LifecycleEvent };

export interface LifecycleState {
  status: ConversationStatus;
  queue_id: string | null;
  assigned_to: string | null;
}

export function nextLifecycle(current: LifecycleState, event: LifecycleEvent): LifecycleState {
  const snapshot = conversationLifecycleMachine.resolveState({
    value: current.status,
    context: { queueId: current.queue_id, assignedTo: current.assigned_to },
  });
  if (!snapshot.can(event)) {
    throw new Conflict(msg("conversations.transition", { status: current.status, step: event.type }), "INVALID_TRANSITION");
  }
  const [next] = transition(conversationLifecycleMachine, snapshot, event);
  return { status: next.value, queue_id: next.context.queueId, assigned_to: next.context.assignedTo };
}
