package dev.converge.core.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Finds strings that are not valid Unicode: a UTF-16 surrogate without its pair, which JSON can
 * carry as a {@code \ud800} escape. Such a string cannot be encoded as UTF-8; PostgreSQL and every
 * UTF-8 writer would store it as {@code ?}, so two distinct ids would collide. Decoding refuses it.
 */
final class UnpairedSurrogates {
  private UnpairedSurrogates() {}

  /**
   * Returns whether a tree parsed from {@code json} may hold an unpaired surrogate: the text itself
   * holds one, or a {@code \\uD800}-{@code \\uDFFF} escape. One scan without allocation, so that
   * the walk of {@link #find} is paid only by the rare message that needs it.
   */
  static boolean mayHide(String json) {
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < json.length()
          && Character.isLowSurrogate(json.charAt(i + 1))) {
        i++;
        continue;
      }
      if (Character.isSurrogate(c)) {
        return true;
      }
      if (c == '\\'
          && i + 3 < json.length()
          && json.charAt(i + 1) == 'u'
          && (json.charAt(i + 2) == 'd' || json.charAt(i + 2) == 'D')) {
        char third = json.charAt(i + 3);
        if ("89abcdefABCDEF".indexOf(third) >= 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** Returns the path of the first key or string value holding an unpaired surrogate, or null. */
  static String find(JsonNode node, String path) {
    if (node.isTextual()) {
      return isValid(node.textValue()) ? null : path;
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String found = find(node.get(i), TreeReader.index(path, i));
        if (found != null) {
          return found;
        }
      }
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        String child = TreeReader.field(path, printable(entry.getKey()));
        if (!isValid(entry.getKey())) {
          return child;
        }
        String found = find(entry.getValue(), child);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /** Whether every surrogate in {@code text} is part of a high-low pair. */
  static boolean isValid(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The text with each unpaired surrogate written as a {@code \\uXXXX} escape, safe to put in a
   * message.
   */
  static String printable(String text) {
    if (isValid(text)) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
