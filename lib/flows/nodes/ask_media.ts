import { questionNode, type QuestionData } from "./kit/question";

const KINDS = ["image", "video", "audio", "document"] as const;

export default questionNode<QuestionData & { accept?: string[] }>({
  type: "ask_media",
  description: "Asks for a photo, video, audio or document; stores {message_id, type, url}.",
  fields: { accept: { type: "array", items: { type: "enum", values: KINDS }, min: 1, max: 4 } },
  parse(input, data) {
    const accepted: readonly string[] = data.accept ?? KINDS;
    if (!accepted.includes(input.type)) return undefined;
    return { message_id: input.message_id, type: input.type, url: input.media_url };
  },
});
