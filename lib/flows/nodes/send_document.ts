import { caption, sendMediaNode } from "./kit/media";

export default sendMediaNode("send_document", "document", { filename: { type: "string", required: true, min: 1, max: 255, template: true }, ...caption });
