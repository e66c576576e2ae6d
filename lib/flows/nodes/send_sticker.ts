import { sendMediaNode } from "./kit/media";

export default sendMediaNode("send_sticker", "sticker");
