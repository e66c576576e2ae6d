import { caption, sendMediaNode } from "./media";

export default sendMediaNode("send_image", "image", caption);
