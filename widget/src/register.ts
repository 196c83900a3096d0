/** The chunk widget.js imports on intent: defines `<parley-chat>` and its parts. */
import './components/chat/chat';
