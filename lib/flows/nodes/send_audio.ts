import { sendMediaNode } from "./kit/media";

export default sendMediaNode("send_audio", "audio");
