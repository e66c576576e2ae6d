// Every node type of the catalogue (docs/flow-builder.md), in the builder's order.
import { ValidationFailed } from "../errors";
import { msg } from "../i18n/message";
import { jsonSchemaOf } from "./fields";
import type { NodeType } from "./node-type";
import start from "./nodes/start";
import sendText from "./nodes/send_text";
import sendImage from "./nodes/send_image";
import sendVideo from "./nodes/send_video";
import sendAudio from "./nodes/send_audio";
import sendDocument from "./nodes/send_document";
import sendLocation from "./nodes/send_location";
import sendContact from "./nodes/send_contact";
import sendSticker from "./nodes/send_sticker";
import askText from "./nodes/ask_text";
import askNumber from "./nodes/ask_number";
import askEmail from "./nodes/ask_email";
import askPhone from "./nodes/ask_phone";
import askDate from "./nodes/ask_date";
import askButtons from "./nodes/ask_buttons";
import askList from "./nodes/ask_list";
import askMedia from "./nodes/ask_media";
import askLocation from "./nodes/ask_location";
import askRating from "./nodes/ask_rating";
import condition from "./nodes/condition";
import switchNode from "./nodes/switch";
import setVariable from "./nodes/set_variable";
import wait from "./nodes/wait";
import businessHours from "./nodes/business_hours";
import abSplit from "./nodes/ab_split";
import goToFlow from "./nodes/go_to_flow";
import end from "./nodes/end";
import transferToQueue from "./nodes/transfer_to_queue";
import assignAgent from "./nodes/assign_agent";
import addTags from "./nodes/add_tags";
import removeTags from "./nodes/remove_tags";
import updateContact from "./nodes/update_contact";
import setPriority from "./nodes/set_priority";
import addNote from "./nodes/add_note";
import resolveConversation from "./nodes/resolve_conversation";
import httpRequest from "./nodes/http_request";
import odooFindPartner from "./nodes/odoo_find_partner";
import odooCreatePartner from "./nodes/odoo_create_partner";
import odooListOrders from "./nodes/odoo_list_orders";
import odooCheckStock from "./nodes/odoo_check_stock";
import odooCreateLead from "./nodes/odoo_create_lead";

export const NODE_TYPES: readonly NodeType[] = [
  start,
  sendText,
  sendImage,
  sendVideo,
  sendAudio,
  sendDocument,
  sendLocation,
  sendContact,
  sendSticker,
  askText,
  askNumber,
  askEmail,
  askPhone,
  askDate,
  askButtons,
  askList,
  askMedia,
  askLocation,
  askRating,
  condition,
  switchNode,
  setVariable,
  wait,
  businessHours,
  abSplit,
  goToFlow,
  end,
  transferToQueue,
  assignAgent,
  addTags,
  removeTags,
  updateContact,
  setPriority,
  addNote,
  resolveConversation,
  httpRequest,
  odooFindPartner,
  odooCreatePartner,
  odooListOrders,
  odooCheckStock,
  odooCreateLead,
];

const BY_TYPE = new Map(NODE_TYPES.map((node) => [node.type, node]));

export function nodeType(type: string): NodeType | undefined {
  return BY_TYPE.get(type);
}

export function requireNodeType(type: string, path: string): NodeType {
  const node = BY_TYPE.get(type);
  if (!node) throw new ValidationFailed(path, msg("graph.unknownType", { type }));
  return node;
}

/** The catalogue for the builder: each type with its configuration schema and exits. */
export function catalogue() {
  return NODE_TYPES.map((node) => ({
    type: node.type,
    category: node.category,
    description: node.description,
    schema: jsonSchemaOf(node.fields),
    handles: node.catalogueHandles ?? node.handles({}),
  }));
}
