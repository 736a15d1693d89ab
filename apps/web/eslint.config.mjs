// The workspace config plus Vue single-file components (eslint-plugin-vue, TypeScript in <script>).
import pluginVue from 'eslint-plugin-vue';
import tseslint from 'typescript-eslint';
import root from '../../eslint.config.mjs';

export default tseslint.config(
  ...root,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
    // The type checker (vue-tsc) already knows every global; ESLint's own list has no DOM types.
    rules: { 'no-undef': 'off' },
  },
  {
    rules: {
      // Prettier owns formatting.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  { files: ['e2e/**', 'bench/**'], rules: { 'no-restricted-syntax': 'off' } },
);
