import { caption, sendMediaNode } from "./media";

export default sendMediaNode("send_video", "video", caption);
