import { sendMediaNode } from "./media";

export default sendMediaNode("send_audio", "audio");
