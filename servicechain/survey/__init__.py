"""Survey answers folded into a model: internal customer surveys give service ratings (with
SERVQUAL gaps and confidence intervals), employee surveys give departments' own quality."""

from .fold import SurveyResult, fold_survey

__all__ = ["SurveyResult", "fold_survey"]
