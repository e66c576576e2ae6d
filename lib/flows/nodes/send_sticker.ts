import { sendMediaNode } from "./media";

export default sendMediaNode("send_sticker", "sticker");
