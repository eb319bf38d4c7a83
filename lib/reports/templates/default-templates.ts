// The templates shipped with Telepacs: the five sections of a diagnostic
// imaging report (the headings of DICOM TID 2000's section concepts and of
// the ACR practice parameter: clinical information, technique, comparison,
// findings, impression), with a severity pick list in the Impression, where a
// referrer looks first.
import type { TemplateSection } from './template-types';

const SEVERITY = { label: 'Severity', options: ['Normal', 'Minor findings', 'Significant findings', 'Urgent: communicate now'] };

function sections(technique: string): TemplateSection[] {
  return [
    { key: 'clinical_information', title: 'Clinical information' },
    { key: 'technique', title: 'Technique', defaultText: technique },
    { key: 'comparison', title: 'Comparison', defaultText: 'None.' },
    { key: 'findings', title: 'Findings' },
    { key: 'impression', title: 'Impression', pickList: SEVERITY },
  ];
}

export interface DefaultTemplate {
  defaultKey: string;
  name: string;
  modality: string;
  bodyRegion: string;
  sections: TemplateSection[];
}

export const DEFAULT_TEMPLATES: readonly DefaultTemplate[] = [
  { defaultKey: 'ct-head', name: 'CT head', modality: 'CT', bodyRegion: 'HEAD', sections: sections('Non-contrast axial CT of the head.') },
  { defaultKey: 'ct-chest', name: 'CT chest', modality: 'CT', bodyRegion: 'CHEST', sections: sections('Axial CT of the chest.') },
  { defaultKey: 'cr-chest', name: 'Chest radiograph', modality: 'CR', bodyRegion: 'CHEST', sections: sections('PA and lateral chest radiographs.') },
  { defaultKey: 'mr-brain', name: 'MR brain', modality: 'MR', bodyRegion: 'BRAIN', sections: sections('Multiplanar multisequence MR of the brain.') },
  { defaultKey: 'us-abdomen', name: 'US abdomen', modality: 'US', bodyRegion: 'ABDOMEN', sections: sections('Grey-scale and Doppler ultrasound of the abdomen.') },
  { defaultKey: 'generic', name: 'Generic', modality: '', bodyRegion: '', sections: sections('') },
];
