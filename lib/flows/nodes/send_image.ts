import { caption, sendMediaNode } from "./kit/media";

export default sendMediaNode("send_image", "image", caption);
