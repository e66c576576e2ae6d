import { caption, sendMediaNode } from "./kit/media";

export default sendMediaNode("send_video", "video", caption);
